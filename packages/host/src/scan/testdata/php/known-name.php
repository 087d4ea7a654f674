<?php
// A page title web shells of one family print; no code here.
$title = 'FilesMan';
echo "<title>$title</title>";
