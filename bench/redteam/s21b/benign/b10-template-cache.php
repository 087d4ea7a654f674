<?php
// Template cache: compiles a template to PHP once, includes the compiled file
$name = basename($_GET['page'] ?? 'home');
if (!preg_match('/^[a-z0-9_]+$/', $name)) $name = 'home';
$src = __DIR__ . '/templates/' . $name . '.tpl';
$cache = __DIR__ . '/cache/' . md5($name) . '.php';
if (!is_file($cache) || filemtime($cache) < filemtime($src)) {
    $code = preg_replace('/\{\{\s*(\w+)\s*\}\}/', '<?php echo htmlspecialchars($vars[\'$1\']); ?>', file_get_contents($src));
    file_put_contents($cache, $code);
}
$vars = ['title' => 'Hello'];
include $cache;
