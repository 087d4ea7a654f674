<?php
// Nightly backup trigger: writes the job's log header, runs the packaged script in the background
$db = escapeshellarg($config['db']);
$dest = escapeshellarg($config['backup_dir']);
file_put_contents($config['log'], date('c') . " backup started\n", FILE_APPEND);
exec("/var/tmp/myapp-backup.sh $db $dest &");
