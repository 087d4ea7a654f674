import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSecLangFile, loadSecLangFiles, parseSecLang } from './parser.js';
import { lex } from './lexer.js';
import { printDirective } from './printer.js';
import type { LoadResult, Rule, SecLangConfig } from './ast.js';
import { SeededRandom } from '../../core/random.js';

function ok(r: LoadResult): SecLangConfig {
  if (!r.ok) assert.fail(r.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return r.config;
}

/** The errors as `file:line: message` with the directory taken off, for exact comparison. */
function errs(r: LoadResult, dir = ''): string[] {
  assert.equal(r.ok, false, 'the load is refused');
  if (r.ok) return [];
  return r.errors.map((e) => `${dir ? e.file.replace(dir + '/', '') : e.file}:${e.line}: ${e.message}`);
}

const one = (text: string): Rule => {
  const c = ok(parseSecLang(text, 'x.conf'));
  assert.equal(c.rules.length, 1);
  return c.rules[0]!;
};

describe('SecLang reader: lines, quoting and escapes as httpd reads them', () => {
  it('joins backslash continuations and numbers directives by their first line', () => {
    const { directives, problems } = lex('# c\n\nSecRule ARGS \\\n    "@rx a" \\\n  "id:1,\\\n  pass"\nSecMarker END\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(directives, [
      { line: 3, name: 'SecRule', args: ['ARGS', '@rx a', 'id:1,  pass'] },
      { line: 7, name: 'SecMarker', args: ['END'] },
    ]);
  });

  it('continues only on a backslash right before the newline (CR LF too), not before blanks', () => {
    const { directives } = lex('SecMarker A\\\r\nB\nSecMarker C\\ \nSecMarker D\n');
    assert.deepEqual(directives.map((d) => d.args), [['AB'], ['C\\'], ['D']]);
  });

  it('keeps backslashes outside quotes and splits adjacent quoted strings', () => {
    const { directives } = lex('SecRule ARGS a\\\\b"x"\'y\' "id:1"\n');
    assert.deepEqual(directives[0]!.args, ['ARGS', 'a\\\\b"x"\'y\'', 'id:1']);
    assert.deepEqual(lex('SecMarker "a""b"\n').directives[0]!.args, ['a', 'b']);
  });

  it('lets a comment continue onto the next line, as httpd does', () => {
    const { directives } = lex('# a comment \\\nSecMarker HIDDEN\nSecMarker SEEN\n');
    assert.deepEqual(directives.map((d) => d.args[0]), ['SEEN']);
  });

  it('unescapes \\" and \\\\ inside double quotes and keeps other backslashes', () => {
    const r = one('SecRule ARGS "@rx a\\"b\\\\c\\d\\\'" "id:1,pass"');
    assert.equal(r.operator!.argument.raw, 'a"b\\c\\d\\\'');
  });

  it("reads single-quoted and unquoted arguments", () => {
    const a = one("SecRule ARGS '@contains it\\'s' 'id:2,pass'");
    assert.equal(a.operator!.name, 'contains');
    assert.equal(a.operator!.argument.raw, "it's");
    const b = one('SecRule REQUEST_METHOD ^GET$ id:3,phase:1,pass');
    assert.deepEqual([b.operator!.name, b.operator!.explicit, b.operator!.argument.raw, b.phase], ['rx', false, '^GET$', 1]);
  });

  it('reads \\\' and \\\\ in quoted action values, and refuses other escapes', () => {
    const r = one(`SecRule ARGS "x" "id:4,pass,msg:'it\\'s a \\\\\\\\ b',logdata:'%{MATCHED_VAR}'"`);
    assert.equal(r.msg!.raw, "it's a \\ b");
    assert.deepEqual(errs(parseSecLang(`SecRule ARGS "x" "id:5,pass,msg:'a\\d'"`, 'x.conf')), [
      "x.conf:1: SecRule: invalid escape \\d in the value of msg (only \\' and \\\\ are allowed)",
    ]);
  });

  it('takes names case-insensitively and keeps the canonical spelling', () => {
    const r = one('secrule request_headers:User-Agent "@BeginsWith x" "ID:6,Phase:Request,PASS,t:LOWERCASE,t:base64decode"');
    assert.equal(r.variables[0]!.name, 'REQUEST_HEADERS');
    assert.equal(r.operator!.name, 'beginsWith');
    assert.deepEqual(r.transformations, ['lowercase', 'base64Decode']);
    assert.deepEqual(r.actions.map((a) => a.name), ['id', 'phase', 'pass', 't', 't']);
    assert.equal(r.phase, 2);
  });
});

describe('SecLang rules', () => {
  it('parses targets: lists, selectors, regex selectors with |, exclusions, counts, quoted keys', () => {
    const r = one(`SecRule "ARGS|!ARGS:foo|&TX:x|TX:/^a|b$/|REQUEST_COOKIES:/\\/x/|ARGS:'a b'|XML:/*" "@rx ." "id:7,pass"`);
    assert.deepEqual(r.variables, [
      { name: 'ARGS', exclude: false, count: false },
      { name: 'ARGS', selector: { kind: 'key', value: 'foo' }, exclude: true, count: false },
      { name: 'TX', selector: { kind: 'key', value: 'x' }, exclude: false, count: true },
      { name: 'TX', selector: { kind: 'regex', pattern: '^a|b$' }, exclude: false, count: false },
      { name: 'REQUEST_COOKIES', selector: { kind: 'regex', pattern: '\\/x' }, exclude: false, count: false },
      { name: 'ARGS', selector: { kind: 'key', value: 'a b' }, exclude: false, count: false },
      { name: 'XML', selector: { kind: 'xpath', value: '/*' }, exclude: false, count: false },
    ]);
  });

  it('parses operators: default @rx, negation, arguments with macros, no-argument operators', () => {
    assert.deepEqual(one('SecRule ARGS "!@rx ^a" "id:1,pass"').operator!.negated, true);
    const w = one('SecRule ARGS "@within %{tx.allowed_methods} x" "id:1,pass"').operator!;
    assert.deepEqual(w.argument.parts, [
      { kind: 'macro', variable: 'TX', key: 'allowed_methods', raw: '%{tx.allowed_methods}' },
      { kind: 'text', text: ' x' },
    ]);
    assert.equal(one('SecRule ARGS "@detectSQLi" "id:1,pass"').operator!.argument.raw, '');
    assert.equal(one('SecRule ARGS "" "id:1,pass"').operator!.name, 'rx');
    const spaced = one('SecRule ARGS " foo" "id:1,pass"').operator!;
    assert.deepEqual([spaced.name, spaced.explicit, spaced.argument.raw], ['rx', false, ' foo']);
  });

  it('parses setvar forms and ctl values', () => {
    one('SecAction "id:9,pass,initcol:ip=%{REMOTE_ADDR}_%{tx.ua_hash},expirevar:ip.blocked=60,deprecatevar:ip.score=60/300"');
    const r = one(
      "SecAction \"id:8,phase:1,pass,nolog,setvar:'tx.a=+%{tx.b}',setvar:tx.c=-1,setvar:!tx.d,setvar:tx.e,setvar:'ip.f=x y'," +
        'ctl:ruleRemoveTargetById=942100-942199;ARGS:pwd,ctl:ruleEngine=DetectionOnly,ctl:auditLogParts=+E"',
    );
    const sv = r.actions.filter((a) => a.setvar).map((a) => [a.setvar!.collection, a.setvar!.name.raw, a.setvar!.op, a.setvar!.value?.raw]);
    assert.deepEqual(sv, [
      ['TX', 'a', 'add', '%{tx.b}'],
      ['TX', 'c', 'sub', '1'],
      ['TX', 'd', 'delete', undefined],
      ['TX', 'e', 'flag', undefined],
      ['IP', 'f', 'set', 'x y'],
    ]);
    const ctl = r.actions.filter((a) => a.ctl).map((a) => a.ctl!);
    assert.deepEqual(ctl[0], {
      option: 'ruleRemoveTargetById',
      value: '942100-942199;ARGS:pwd',
      ids: [{ from: 942100, to: 942199 }],
      targets: [{ name: 'ARGS', selector: { kind: 'key', value: 'pwd' }, exclude: false, count: false }],
    });
    assert.equal(ctl[1]!.option, 'ruleEngine');
    assert.equal(r.directive, 'SecAction');
    assert.equal(r.phase, 1);
  });

  it('attaches chain links to their starter with its phase', () => {
    const c = ok(
      parseSecLang(
        'SecRule ARGS "a" "id:10,phase:3,deny,chain"\n  SecRule ARGS "b" "t:none,chain"\n    SecRule ARGS "c" "setvar:tx.x=1"\nSecRule ARGS "d" "id:11,pass"\n',
        'x.conf',
      ),
    );
    assert.deepEqual(c.rules.map((r) => r.id), [10, 11]);
    const s = c.rules[0]!;
    assert.deepEqual(s.chain.map((l) => [l.line, l.phase, l.chainParentId, l.chained]), [
      [2, 3, 10, true],
      [3, 3, 10, false],
    ]);
    assert.equal(c.rules[1]!.phase, 2, 'phase 2 when none is given');
  });

  it('parses the rule-changing directives', () => {
    const c = ok(
      parseSecLang(
        [
          'SecRuleRemoveById 1 5-9 20',
          'SecRuleRemoveByTag "attack-sqli"',
          'SecRuleUpdateTargetById 942100 "!ARGS:/^json\\./|!REQUEST_COOKIES:sid"',
          'SecRuleUpdateTargetByTag "OWASP_CRS" "!ARGS:x"',
          'SecRuleUpdateActionById 942100 "pass,t:none"',
          'SecComponentSignature "mine/1.0"',
          'SecRuleEngine DetectionOnly',
          'SecRequestBodyLimit 13107200',
          'SecAuditLog /var/log/modsec_audit.log',
          'SecResponseBodyMimeType text/plain text/html',
        ].join('\n'),
        'x.conf',
      ),
    );
    assert.deepEqual(c.directives.map((d) => printDirective(d)), [
      'SecRuleRemoveById 1 5-9 20',
      'SecRuleRemoveByTag "attack-sqli"',
      'SecRuleUpdateTargetById 942100 "!ARGS:/^json\\./|!REQUEST_COOKIES:sid"',
      'SecRuleUpdateTargetByTag "OWASP_CRS" "!ARGS:x"',
      'SecRuleUpdateActionById 942100 "pass,t:none"',
      'SecComponentSignature "mine/1.0"',
      'SecRuleEngine "DetectionOnly"',
      'SecRequestBodyLimit "13107200"',
      'SecAuditLog "/var/log/modsec_audit.log"',
      'SecResponseBodyMimeType "text/plain" "text/html"',
    ]);
  });
});

describe('SecLang as users write it around CRS', () => {
  it('reads an engine configuration in the style of modsecurity.conf', () => {
    const text = [
      '<IfModule security2_module>',
      'SecRuleEngine DetectionOnly',
      'SecRequestBodyAccess On',
      'SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\\+|/)|text/)xml" \\',
      '     "id:\'200000\',phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"',
      'SecRequestBodyLimit 13107200',
      'SecRequestBodyNoFilesLimit 131072',
      'SecRequestBodyLimitAction Reject',
      'SecRequestBodyJsonDepthLimit 512',
      'SecArgumentsLimit 1000',
      'SecRule REQBODY_ERROR "!@eq 0" \\',
      '"id:\'200002\', phase:2,t:none,log,deny,status:400,msg:\'Failed to parse request body.\',logdata:\'%{reqbody_error_msg}\',severity:2"',
      'SecRule MULTIPART_STRICT_ERROR "!@eq 0" \\',
      '"id:\'200003\',phase:2,t:none,log,deny,status:400, \\',
      "msg:'Multipart strict validation failed: \\",
      'PE %{REQBODY_PROCESSOR_ERROR}, \\',
      "BQ %{MULTIPART_BOUNDARY_QUOTED}'\"",
      'SecRule TX:/^MSC_/ "!@streq 0" "id:\'200005\',phase:2,t:none,deny,msg:\'Internal error flagged: %{MATCHED_VAR_NAME}\'"',
      'SecResponseBodyAccess On',
      'SecResponseBodyMimeType text/plain text/html text/xml',
      'SecResponseBodyLimit 524288',
      'SecResponseBodyLimitAction ProcessPartial',
      'SecTmpDir /tmp/',
      'SecDataDir /tmp/',
      'SecDebugLog /var/log/modsec_debug.log',
      'SecDebugLogLevel 3',
      'SecAuditEngine RelevantOnly',
      'SecAuditLogRelevantStatus "^(?:5|4(?!04))"',
      'SecAuditLogParts ABIJDEFHZ',
      'SecAuditLogType Serial',
      'SecAuditLog /var/log/modsec_audit.log',
      'SecArgumentSeparator &',
      'SecCookieFormat 0',
      'SecCollectionTimeout 600',
      'SecUnicodeMapFile unicode.mapping 20127',
      '<IfModule !security2_module>',
      'Nonsense that httpd would skip',
      '</IfModule>',
      '</IfModule>',
    ].join('\n');
    const c = ok(parseSecLang(text, 'modsecurity.conf'));
    assert.deepEqual(c.rules.map((r) => [r.id, r.line, r.phase]), [
      [200000, 4, 1],
      [200002, 11, 2],
      [200003, 13, 2],
      [200005, 18, 2],
    ]);
    assert.equal(c.rules[2]!.msg!.raw, 'Multipart strict validation failed: PE %{REQBODY_PROCESSOR_ERROR}, BQ %{MULTIPART_BOUNDARY_QUOTED}');
    assert.equal(c.rules[1]!.severity, 2);
    assert.deepEqual(c.rules[0]!.actions.find((a) => a.ctl)!.ctl, { option: 'requestBodyProcessor', value: 'XML' });
    const settings = c.directives.filter((d) => d.kind === 'setting');
    assert.equal(settings.length, 24);
    assert.deepEqual(settings.find((d) => d.kind === 'setting' && d.name === 'SecAuditLogRelevantStatus'), {
      kind: 'setting',
      file: 'modsecurity.conf',
      line: 28,
      name: 'SecAuditLogRelevantStatus',
      args: ['^(?:5|4(?!04))'],
    });
  });

  it('refuses other httpd containers and unbalanced <IfModule>', () => {
    assert.deepEqual(errs(parseSecLang('<Location /admin>\nSecRuleEngine Off\n</Location>\n', 'h.conf')), [
      "h.conf:1: httpd container Location is not supported (only <IfModule>); scope rules in mamori's config instead",
      "h.conf:3: httpd container Location is not supported (only <IfModule>); scope rules in mamori's config instead",
    ]);
    assert.deepEqual(errs(parseSecLang('<IfModule x>\nSecMarker A\n', 'h.conf')), ['h.conf:1: <IfModule> is not closed in this file']);
    assert.deepEqual(errs(parseSecLang('</IfModule>\n', 'h.conf')), ['h.conf:1: </IfModule> without <IfModule>']);
  });
});

describe('SecLang errors name the file, the line and the problem, and refuse the whole file', () => {
  const cases: [string, string][] = [
    ['SecRule ARGS "@foo x" "id:1,pass"', 'SecRule: unknown operator @foo'],
    ['SecRule ARGS "x" "id:1,pass,explode"', 'SecRule: unknown action explode'],
    ['SecRule ARGS "x" "id:1,pass,t:rot13"', 'SecRule: unknown transformation rot13'],
    ['SecRule ARGZ "x" "id:1,pass"', 'SecRule: unknown variable ARGZ'],
    ['SecRuleEngin On', 'unknown directive SecRuleEngin'],
    ['SecRule ARGS "x" "id:1,pass,ctl:ruleEngineX=On"', 'SecRule: unknown ctl option ruleEngineX'],
    ['SecRule ARGS "x" "id:1,phase:6,pass"', 'SecRule: bad phase 6 (1-5, request, response or logging)'],
    ['SecRule ARGS "x" "pass"', 'SecRule has no id action (every rule needs one)'],
    ['SecRule ARGS "x" "id:1,pass,msg:\'%{nope.x}\'"', 'SecRule: unknown variable nope in macro %{nope.x}'],
    ['SecRule ARGS "x" "id:1,pass,setvar:args.x=1"', 'SecRule: setvar cannot write to args (tx, ip, session, user, global or resource)'],
    ['SecRule REQUEST_URI:x "x" "id:1,pass"', 'SecRule: REQUEST_URI is not a collection, so it takes no selector'],
    ['SecRule !ARGS "x" "id:1,pass"', 'SecRule: !ARGS needs a selector: an exclusion names members to leave out'],
    ['SecAction "id:1,pass,initcol:ip.x=1"', 'SecAction: initcol needs collection=value with tx, ip, session, user, global or resource, got ip.x=1'],
    ['SecAction "id:1,pass,expirevar:args.x=1"', 'SecAction: expirevar needs collection.name=value with tx, ip, session, user, global or resource, got args.x=1'],
    ['SecRule ARGS "@eq abc" "id:1,pass"', 'SecRule: @eq needs an integer or a macro, got abc'],
    ['SecRule ARGS "@detectSQLi x" "id:1,pass"', 'SecRule: @detectSQLi takes no argument'],
    ['SecRule ARGS "x" "id:1,pass,msg:\'open"', 'SecRule: missing closing quote in the value of msg'],
    ['SecRule ARGS "x" "id:1,pass,chain:x"', 'SecRule: action chain takes no value'],
    ['SecRule ARGS "x"', 'SecRule has no id action (every rule needs one)'],
    ['SecRule ARGS', 'SecRule takes 2 to 3 arguments, got 1'],
    ['SecRuleEngine Maybe', 'SecRuleEngine takes On, Off, DetectionOnly, got Maybe'],
    ['SecRequestBodyLimit 10MB', 'SecRequestBodyLimit takes a number, got 10MB'],
    ['SecDefaultAction "log,pass"', 'SecDefaultAction needs a phase'],
    ['SecDefaultAction "phase:2,id:5,pass"', 'SecDefaultAction cannot hold id'],
    ['SecRule ARGS "x" "id:0,pass"', 'SecRule: rule id 0 is outside 1-2147483647'],
    ['SecRule REMOTE_ADDR "@ipMatch 10.0.0.0/33" "id:1,pass"', 'SecRule: @ipMatch: bad address or network 10.0.0.0/33'],
    ['SecRule REMOTE_ADDR "@ipMatch 10.0.0.1,::1/129" "id:1,pass"', 'SecRule: @ipMatch: bad address or network ::1/129'],
    ['SecRule ARGS "@pmFromFile https://example.com/list.txt" "id:1,pass"', 'SecRule: remote data files are not fetched; download https://example.com/list.txt and name the local file'],
    ['SecRule ARGS "@validateByteRange 1-300" "id:1,pass"', 'SecRule: @validateByteRange: range 1-300 is outside 0-255 or reversed'],
  ];
  for (const [line, message] of cases) {
    it(message, () => {
      const text = `# a comment\nSecRule ARGS "ok" "id:99,pass"\n\n${line}\nSecMarker AFTER\n`;
      assert.deepEqual(errs(parseSecLang(text, 'rules/x.conf')), [`rules/x.conf:4: ${message}`]);
    });
  }

  it('reports every error of a file, in line order, and the multi-line directive at its first line', () => {
    const text = 'SecRule ARGS "x" \\\n  "id:1,\\\n   pass,\\\n   nope"\nSecRule ARGS "@rx (a" "id:2,pass\nSecRule ARGS "x" "id:1,pass"\n';
    assert.deepEqual(errs(parseSecLang(text, 'f.conf')), [
      'f.conf:1: SecRule: unknown action nope',
      'f.conf:5: unterminated double quote (opened at column 23)',
    ]);
  });

  it('refuses duplicate ids with both places', () => {
    assert.deepEqual(errs(parseSecLang('SecRule ARGS "x" "id:1,pass"\nSecAction "id:1,pass"\n', 'f.conf')), ['f.conf:2: duplicate rule id 1 (first at f.conf:1)']);
  });

  it('refuses a chain that does not continue, and starter-only actions on links', () => {
    assert.deepEqual(errs(parseSecLang('SecRule ARGS "x" "id:1,deny,chain"\n', 'f.conf')), ['f.conf:1: rule 1 ends with chain but no SecRule follows it in this file']);
    assert.deepEqual(errs(parseSecLang('SecRule ARGS "x" "id:1,deny,chain"\nSecMarker M\n', 'f.conf')), [
      'f.conf:2: rule 1 (line 1) ends with chain, so a SecRule must follow, not SecMarker',
    ]);
    assert.deepEqual(errs(parseSecLang('SecRule ARGS "x" "id:1,deny,chain"\nSecRule ARGS "y" "id:2"\n', 'f.conf')), [
      'f.conf:2: id is only allowed on the first rule of a chain (rule 1 at line 1)',
    ]);
    assert.deepEqual(errs(parseSecLang('SecRule ARGS "x" "id:1,deny,chain"\nSecRule ARGS "y" "msg:\'m\'"\n', 'f.conf')), [
      'f.conf:2: msg is only allowed on the first rule of a chain (rule 1 at line 1)',
    ]);
  });

  it('returns no configuration at all when one rule of many is wrong', () => {
    const good = Array.from({ length: 50 }, (_, i) => `SecRule ARGS "x${i}" "id:${i + 1},pass"`).join('\n');
    const r = parseSecLang(`${good}\nSecRule ARGS "@nope" "id:1000,pass"\n`, 'f.conf');
    assert.equal(r.ok, false);
    assert.equal('config' in r, false);
  });
});

describe('SecLang Include', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-seclang-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('expands globs relative to the including file, in name order', () => {
    mkdirSync(join(dir, 'g/rules'), { recursive: true });
    writeFileSync(join(dir, 'g/main.conf'), 'Include rules/*.conf\nIncludeOptional nothing/*.conf\nSecMarker END\n');
    writeFileSync(join(dir, 'g/rules/b.conf'), 'SecAction "id:2,pass"\n');
    writeFileSync(join(dir, 'g/rules/a.conf'), 'SecAction "id:1,pass"\n');
    writeFileSync(join(dir, 'g/rules/c.txt'), 'garbage\n');
    writeFileSync(join(dir, 'g/rules/.hidden.conf'), 'garbage\n');
    const c = ok(loadSecLangFile(join(dir, 'g/main.conf')));
    assert.deepEqual(c.rules.map((r) => r.id), [1, 2]);
    assert.deepEqual(c.files.map((f) => f.replace(dir + '/', '')), ['g/main.conf', 'g/rules/a.conf', 'g/rules/b.conf']);
    assert.deepEqual(c.rules.map((r) => r.file.replace(dir + '/', '')), ['g/rules/a.conf', 'g/rules/b.conf']);
    assert.deepEqual(c.directives.map((d) => d.kind), ['include', 'rule', 'rule', 'include', 'marker']);
  });

  it('names the including line when an included file is missing or wrong', () => {
    mkdirSync(join(dir, 'm'), { recursive: true });
    writeFileSync(join(dir, 'm/main.conf'), '\nInclude missing.conf\nInclude bad.conf\n');
    writeFileSync(join(dir, 'm/bad.conf'), 'SecAction "id:1,pass"\n\n\nSecAction "id:2,frobnicate"\n');
    assert.deepEqual(errs(loadSecLangFile(join(dir, 'm/main.conf')), dir), ['m/main.conf:2: Include missing.conf matches no file', 'm/bad.conf:4: SecAction: unknown action frobnicate']);
  });

  it('refuses include cycles', () => {
    mkdirSync(join(dir, 'c'), { recursive: true });
    writeFileSync(join(dir, 'c/a.conf'), 'SecAction "id:1,pass"\nInclude b.conf\n');
    writeFileSync(join(dir, 'c/b.conf'), '\n\nInclude a.conf\n');
    writeFileSync(join(dir, 'c/self.conf'), 'Include self.conf\n');
    const e = errs(loadSecLangFile(join(dir, 'c/a.conf')), dir);
    assert.equal(e.length, 1);
    assert.match(e[0]!, /^c\/b\.conf:3: include cycle: .*a\.conf -> .*b\.conf -> .*a\.conf$/);
    assert.match(errs(loadSecLangFile(join(dir, 'c/self.conf')), dir)[0]!, /^c\/self\.conf:1: include cycle/);
  });

  it('bounds include depth', () => {
    mkdirSync(join(dir, 'd'), { recursive: true });
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, `d/${i}.conf`), `Include ${i + 1}.conf\n`);
    writeFileSync(join(dir, 'd/40.conf'), 'SecAction "id:1,pass"\n');
    assert.deepEqual(errs(loadSecLangFile(join(dir, 'd/0.conf')), dir), ['d/16.conf:1: includes nested deeper than 16']);
    assert.equal(ok(loadSecLangFile(join(dir, 'd/0.conf'), { maxIncludeDepth: 40 })).rules.length, 1);
  });

  it('bounds the number of files and their size', () => {
    mkdirSync(join(dir, 'n'), { recursive: true });
    for (let i = 0; i < 30; i++) writeFileSync(join(dir, `n/r${String(i).padStart(2, '0')}.conf`), `SecAction "id:${i + 1},pass"\n`);
    writeFileSync(join(dir, 'n/main.txt'), 'Include r*.conf\n');
    assert.deepEqual(errs(loadSecLangFile(join(dir, 'n/main.txt'), { maxFiles: 10 }), dir), ['n/main.txt:1: Include r*.conf: matches more than 10 files']);
    assert.deepEqual(errs(loadSecLangFile(join(dir, 'n/main.txt'), { maxTotalBytes: 200 }), dir).slice(0, 1), [
      `n/r08.conf:0: the files together are larger than 200 bytes`,
    ]);
    assert.equal(ok(loadSecLangFiles([join(dir, 'n/main.txt')])).rules.length, 30);
  });
});

describe('SecLang against hostile input: clear errors, bounded work, no crash', () => {
  it('refuses a huge line without holding it', () => {
    const huge = 'SecRule ARGS "' + 'a'.repeat(3 << 20) + '" "id:1,pass"\nSecAction "id:2,pass"\n';
    assert.deepEqual(errs(parseSecLang(huge, 'h.conf')), ['h.conf:1: line longer than 1048576 bytes']);
    // The same through continuations: the logical line counts.
    const cont = 'SecRule ARGS "' + ('b'.repeat(100_000) + '\\\n').repeat(20) + '" "id:1,pass"\n';
    assert.deepEqual(errs(parseSecLang(cont, 'h.conf')), ['h.conf:1: line longer than 1048576 bytes']);
  });

  it('bounds the targets and actions of one rule', () => {
    assert.deepEqual(errs(parseSecLang(`SecRule ${Array(1025).fill('ARGS').join('|')} "x" "id:1,pass"`, 'l.conf')), ['l.conf:1: SecRule: more than 1024 variables']);
    assert.deepEqual(errs(parseSecLang(`SecAction "id:1,${Array(1024).fill('pass').join(',')}"`, 'l.conf')), ['l.conf:1: SecAction: more than 1024 actions']);
    assert.equal(ok(parseSecLang(`SecRule ${Array(1024).fill('ARGS').join('|')} "x" "id:1,pass"`, 'l.conf')).rules[0]!.variables.length, 1024);
  });

  it('refuses unterminated quotes at the end of the file', () => {
    assert.deepEqual(errs(parseSecLang('SecAction "id:1,pass', 'q.conf')), ['q.conf:1: unterminated double quote (opened at column 11)']);
    assert.deepEqual(errs(parseSecLang("SecMarker 'x\\", 'q.conf')), ['q.conf:1: unterminated single quote (opened at column 11)']);
  });

  it('refuses binary garbage with at most a bounded list of errors', () => {
    const rnd = new SeededRandom(7);
    for (let round = 0; round < 20; round++) {
      const bytes = rnd.bytes(200_000);
      const r = parseSecLang(bytes.toString('latin1'), 'bin.conf');
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.ok(r.errors.length <= 101, `${r.errors.length} errors`);
        for (const e of r.errors) assert.ok(e.message.length < 400 && !/[\x00-\x1f]/.test(e.message), e.message);
      }
    }
  });

  it('survives mutated CRS-like rules without throwing, and round-trips those it accepts', () => {
    const base = `SecRule REQUEST_HEADERS:Referer|!ARGS:/^x|y$/|&TX:a "!@rx ^(?:a|b)%{tx.z}" "id:1,phase:2,block,t:none,t:lowercase,msg:'it\\'s %{MATCHED_VAR}',setvar:'tx.s=+%{tx.c}',ctl:ruleRemoveTargetById=5;ARGS:q,chain"\nSecRule ARGS "x" "t:none"\n`;
    const strip = (d: unknown) => JSON.parse(JSON.stringify(d, (k, v) => (k === 'file' || k === 'line' || k === 'raw' ? undefined : v)));
    let accepted = 0;
    const rnd = new SeededRandom(11);
    const next = () => rnd.bytes(4).readUInt32LE(0) / 2 ** 32;
    const alphabet = `"'\\|:,!&@%{}/ \n;=x`;
    for (let round = 0; round < 3000; round++) {
      const chars = [...base];
      const edits = 1 + Math.floor(next() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(next() * chars.length);
        const what = next();
        if (what < 0.4) chars.splice(at, 1);
        else chars.splice(at, what < 0.7 ? 0 : 1, alphabet[Math.floor(next() * alphabet.length)]!);
      }
      const text = chars.join('');
      const r = parseSecLang(text, 'm.conf');
      if (!r.ok) {
        for (const e of r.errors) assert.equal(e.file, 'm.conf');
        continue;
      }
      // Whatever parsed prints back to text that parses to the same tree.
      accepted++;
      const printed = r.config.directives.map(printDirective).join('\n');
      const again = parseSecLang(printed, 'm.conf');
      assert.ok(again.ok, `printed form of ${JSON.stringify(text)} parses: ${printed}`);
      assert.deepEqual(strip(again.config.directives), strip(r.config.directives), `round trip of ${JSON.stringify(text)}`);
    }
    assert.ok(accepted > 100, `${accepted} mutations parsed`);
  });

  it('refuses NUL bytes and stops after 100 errors', () => {
    assert.deepEqual(errs(parseSecLang('SecMarker A\nSecMarker B\0\n', 'z.conf')), ['z.conf:2: NUL byte in the line (is this a binary file?)']);
    const many = 'Bogus\n'.repeat(10_000);
    const e = errs(parseSecLang(many, 'z.conf'));
    assert.equal(e.length, 101);
    assert.equal(e[100], 'z.conf:100: stopped after 100 errors');
  });
});
