<?php
$q = isset($_GET['q']) ? $_GET['q'] : '';
echo "<script>const label = `" . htmlspecialchars($_GET['q'] ?? '', ENT_QUOTES) . "`; document.title = label;</script>";
echo '<script>const t = `Results for ${' . json_encode($_GET['q'] ?? '') . '}`;</script>';
