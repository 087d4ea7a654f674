import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';
import { longFile } from './scan-test-kit.js';

// A shell split in two in a long legitimate file: the helper that runs commands defined at the
// file's top, its call with request input at the end, more than an excerpt's length apart (red
// team S22R-11). The excerpt around the call is read with the definitions it calls.
const scanner = createScanner({});
const scan = (src: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/shop/util.php');

describe('scan: a helper defined far from its call, in a long file', () => {
  const host = longFile(120);
  const atTop = (def: string) => host.replace('<?php\n', `<?php\n${def}\n`);
  const split: [string, string][] = [
    ['a closure in a variable', atTop('$fmt = function ($c) { return shell_exec($c); };') + '\necho $fmt($_GET["x"]);\n'],
    ['a closure with use() and a static one', atTop('$p = "2>&1"; $fmt = static function ($c) use ($p) { $o = []; exec($c . " " . $p, $o); return implode("\\n", $o); };') + '\nprint $fmt($_POST["x"]);\n'],
    ['an arrow function', atTop('$fmt = fn($c) => system($c);') + '\n$fmt($_REQUEST["x"]);\n'],
  ];
  for (const [name, src] of split) {
    it(`malicious: ${name} at the top, called with input at the end`, async () => {
      assert.ok(src.length > 100 * 1024);
      const r = await scan(src);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      const f = r.findings.find((x) => /with the definition they call \(line 2\)/.test(x.description));
      assert.ok(f, JSON.stringify(r.findings));
    });
  }

  it('not malicious: a helper that runs a fixed command, called at the end with input it only prints', async () => {
    const src = atTop('$uptime = function () { return shell_exec("uptime"); };') + '\necho htmlspecialchars($_GET["q"] ?? ""), $uptime();\n';
    const r = await scan(src);
    assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
  });

  it('not malicious: the long file alone, and with a helper that escapes its argument', async () => {
    assert.equal((await scan(host)).verdict, 'clean');
    const src = atTop('$ping = function ($h) { return shell_exec("ping -c 1 " . escapeshellarg($h)); };') + '\necho $ping($_GET["host"]);\n';
    const r = await scan(src);
    assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
  });
});
