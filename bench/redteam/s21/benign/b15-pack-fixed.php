<?php
$magic = pack('H8', '89504e47');
$sig = pack('H12', '73797374656d');
echo bin2hex($magic), strlen($sig);
