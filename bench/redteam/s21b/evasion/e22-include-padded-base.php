<?php $x = $_GET["f"]; include $x;
