<?php echo 'ok'; phpinfo();
