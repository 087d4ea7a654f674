<?php
// Installer: checks the latest release and writes config.php
$latest = trim(@file_get_contents('https://releases.example.org/myapp/latest-version.txt'));
if ($latest && version_compare($latest, '2.4.0', '>')) echo "<p>A newer version ($latest) is available.</p>";
$root = $_SERVER['DOCUMENT_ROOT'] . '/myapp';
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $cfg = "<?php\nreturn " . var_export(['db_host' => $_POST['db_host'], 'db_name' => $_POST['db_name']], true) . ";\n";
    $fh = fopen($root . '/config.php', 'w');
    fwrite($fh, $cfg);
    fclose($fh);
    echo '<p>Done. Delete install.php.</p>';
}
?>
<form method="post"><input name="db_host"><input name="db_name"><button>Install</button></form>
