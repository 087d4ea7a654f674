<?php
/**
 * A setup wizard, shaped like the ones CMSs ship: reads the database form,
 * tests the connection, writes the config, runs fixed commands.
 */
$step = isset($_GET['step']) ? (int) $_GET['step'] : 1;
if ($_SERVER['REQUEST_METHOD'] === 'POST' && $step === 2) {
    $host = $_POST['db_host'] ?? 'localhost';
    $name = $_POST['db_name'] ?? '';
    $link = mysqli_connect($host, $_POST['db_user'], $_POST['db_pass'], $name);
    if (!$link) { die('Cannot connect: ' . htmlspecialchars(mysqli_connect_error())); }
    $config = "<?php\nreturn " . var_export(['host' => $host, 'name' => $name], true) . ";\n";
    file_put_contents(__DIR__ . '/config.php', $config);
    chmod(__DIR__ . '/config.php', 0640);
    exec('php ' . escapeshellarg(__DIR__ . '/bin/migrate.php') . ' 2>&1', $output, $status);
    echo $status === 0 ? 'Installed.' : 'Migration failed: ' . htmlspecialchars(implode("\n", $output));
}
if (is_writable(__DIR__) === false) { echo 'Make this directory writable.'; }
echo 'PHP ' . PHP_VERSION . ' on ' . php_uname('s');
