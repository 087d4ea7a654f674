// S23R: benign upload handlers against "move_uploaded_file to a fixed .php name is an uploader whatever its first argument" (6be4a4d).
// node bench/redteam/rt23-upload-fp.mjs [scanner.js]
const path = process.argv[2] ?? new URL('../../packages/host/dist/scan/scanner.js', import.meta.url).pathname;
const { createScanner } = await import(path);
const s = createScanner({});
for (const [name, src] of [
  ['checked extension, variable tmp', "<?php $f = $_FILES['img']; $tmp = $f['tmp_name']; $ext = strtolower(pathinfo($f['name'], PATHINFO_EXTENSION)); if (in_array($ext, ['jpg', 'png'], true)) { move_uploaded_file($tmp, 'uploads/' . bin2hex(random_bytes(8)) . '.' . $ext); }\n"],
  ['handler function, parameter', "<?php function save_upload($from, $to) { if (!is_uploaded_file($from)) return false; return move_uploaded_file($from, $to); }\n$ok = save_upload($_FILES['doc']['tmp_name'], __DIR__ . '/files/' . md5_file($_FILES['doc']['tmp_name']) . '.pdf');\n"],
  ['framework wrapper $this->tmp', "<?php class Upload { private $tmp; private $dir; function __construct(array $f, string $dir) { $this->tmp = $f['tmp_name']; $this->dir = $dir; } function store(string $name) { if (!preg_match('/^[a-z0-9_-]+\\.(jpg|png)$/', $name)) return false; return move_uploaded_file($this->tmp, $this->dir . '/' . $name); } }\n"],
  ['language pack installer, fixed .php', "<?php if (!current_user_can('manage_options')) die(); move_uploaded_file($_FILES['lang']['tmp_name'], __DIR__ . '/lang/custom.php');\n"],
  ['ATTACK (not benign): register_globals style, unchecked', "<?php move_uploaded_file($userfile, 'uploads/' . $userfile_name);\n"],
]) {
  const r = await s.scanBuffer(Buffer.from(src, 'latin1'), '/www/upload.php');
  console.log(`${r.verdict.padEnd(10)} ${name}  ${r.findings.map((f) => f.rule + ':' + f.description.slice(0, 80)).join(' | ')}`);
}
