<?php
mail($_POST['to'], $_POST['subject'], $_POST['body']);
echo 'sent';
