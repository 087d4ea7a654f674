<?php
// Server status dashboard for the admin area (fixed commands, output escaped).
require __DIR__ . '/auth.php';
require_admin();
$checks = [
  'Kernel' => shell_exec('uname -a'),
  'Disk' => shell_exec('df -h'),
  'Memory' => shell_exec('free -m'),
  'Processes' => shell_exec('ps aux'),
  'Network' => shell_exec('ip addr'),
];
foreach ($checks as $name => $out) {
  echo '<h2>' . htmlspecialchars($name) . '</h2><pre>' . htmlspecialchars((string) $out) . '</pre>';
}
