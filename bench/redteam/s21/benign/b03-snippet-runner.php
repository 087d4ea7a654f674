<?php
// dev tool: runs a generated snippet where eval is disabled
function run_generated(string $code) {
    $file = tempnam(sys_get_temp_dir(), 'gen');
    file_put_contents($file, '<?php ' . $code);
    $result = include $file;
    unlink($file);
    return $result;
}
