<?php
session_start();
$lang = $_SESSION['lang'] ?? 'en';
if (isset($_GET['lang']) && in_array($_GET['lang'], ['en', 'de', 'fr'], true)) $_SESSION['lang'] = $lang = $_GET['lang'];
$file = __DIR__ . "/lang/$lang.php";
include $file;
echo $strings['welcome'];
