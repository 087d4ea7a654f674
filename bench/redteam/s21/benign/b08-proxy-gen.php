<?php
function make_proxy($class) {
    $code = <<<EOT
class LazyProxy extends \\stdClass {
    private \$target;
    public function __call(\$m, \$a) { return call_user_func_array([\$this->target, \$m], \$a); }
}
EOT;
    eval($code);
}
