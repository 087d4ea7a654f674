<?php
// Server status: runs one of a fixed list of commands
$allowed = ['uptime' => '/usr/bin/uptime', 'disk' => '/bin/df -h'];
$command = $allowed[$_POST['which'] ?? 'uptime'] ?? '/usr/bin/uptime';
exec($command, $out);
echo '<pre>' . htmlspecialchars(implode("\n", $out)) . '</pre>';
?>
<form method="post"><select name="which"><option>uptime</option><option>disk</option></select>
<input type="hidden" name="command" value="status"><button>Run</button></form>
