import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMamoriError } from 'mamori';
import { compileSigmaRules, loadSigmaRules } from './engine.js';
import { MAX_FILE_BYTES } from './yaml.js';

const RULE = (title: string, extra = '') => `title: ${title}\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-method: GET\n  condition: sel\n${extra}`;
const one = (text: string) => {
  const r = compileSigmaRules([{ file: 'x.yml', text }]);
  return r;
};

describe('Sigma rule files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-sigma-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a folder: nested files, .yml and .yaml, several documents, and says what it skipped', () => {
    mkdirSync(join(dir, 'web', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'web', 'a.yml'), `${RULE('a')}---\n${RULE('b')}---\n`);
    writeFileSync(join(dir, 'web', 'deep', 'c.yaml'), RULE('c'));
    writeFileSync(join(dir, 'web', 'notes.txt'), 'not a rule');
    writeFileSync(join(dir, 'bad.yml'), RULE('d', 'level: severe\n'));
    symlinkSync(join(dir, 'web', 'a.yml'), join(dir, 'link.yml'));
    const r = loadSigmaRules(dir);
    assert.equal(r.files, 3);
    assert.equal(r.documents, 4);
    assert.deepEqual(r.rules.map((x) => x.title), ['a', 'b', 'c']);
    assert.deepEqual(
      r.problems.map((p) => [p.file, p.line, p.reason]),
      [
        ['link.yml', undefined, 'symbolic link'],
        ['bad.yml', 8, 'bad rule attribute'],
      ],
    );
    assert.equal(r.problems[1]!.rule, 'd');
    // One file given directly.
    assert.equal(loadSigmaRules(join(dir, 'web', 'deep', 'c.yaml')).rules.length, 1);
  });

  it('throws MAMORI_ERR_SIGMA_RULES for a path that is not there', () => {
    assert.throws(() => loadSigmaRules(join(dir, 'missing')), (e) => isMamoriError(e, 'MAMORI_ERR_SIGMA_RULES') && /missing: cannot be read \(ENOENT\)/.test(e.message));
  });

  it('refuses hostile YAML with the file and line, without hanging or crashing', () => {
    const big = join(dir, 'big.yml');
    writeFileSync(big, `title: x\n#${'a'.repeat(MAX_FILE_BYTES)}\n`);
    const r = loadSigmaRules(big);
    assert.equal(r.problems[0]!.reason, 'file too large');

    const cases: [string, string, number | undefined, RegExp][] = [
      // A billion-laughs alias bomb.
      ['a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n', 'malformed YAML', 1, /alias/],
      // Deep flow nesting.
      [`title: x\nv: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'malformed YAML', 2, /nested deeper/],
      // Deep block nesting.
      [`title: x\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n')} 1\n`, 'malformed YAML', undefined, /nested deeper/],
      ['title: x\nlogsource:\n  category: webserver\n detection: 1\n', 'malformed YAML', 4, /./],
      ['title: x\ntitle: y\n', 'malformed YAML', 2, /unique/i],
      ['- a\n- b\n', 'not a rule', 1, /not a map/],
      ['title: [1, 2]\n', 'bad rule attribute', 1, /title must be a string/],
      ['title: x\nlogsource: webserver\ndetection:\n  condition: a\n', 'bad rule attribute', 2, /logsource map/],
      ['title: x\nlogsource:\n  category: webserver\ndetection: yes\n', 'bad rule attribute', 4, /detection map/],
      ['title: x\nlogsource:\n  category: webserver\ndetection:\n  sel: {}\n  condition: sel\n', 'bad value', 5, /empty map/],
      ['title: x\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-method:\n      a: b\n  condition: sel\n', 'bad value', 6, /not a map/],
      ['title: x\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    - [a]\n  condition: sel\n', 'bad value', 6, /neither a keyword/],
      ['title: x\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-method: GET\n', 'bad rule attribute', 4, /condition/],
      ['title: x\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image: x\n  condition: sel\n', 'unsupported logsource', 2, /category: process_creation, product: windows/],
      ['title: x\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-cookie: x\n  condition: sel\n', 'field with no mapping', 6, /cs-cookie/],
      ['title: x\nstatus: unsupported\nlogsource:\n  category: webserver\ndetection:\n  sel: a\n  condition: sel\n', 'status unsupported', 2, /unsupported/],
      ['title: x\nlogsource:\n  category: webserver\ndetection:\n  sel: a\n  timeframe: 5m\n  condition: sel\n', 'unsupported condition', 6, /timeframe/],
      ['title: f\nlogsource:\n  category: webserver\nfilter:\n  rules: [a]\n  selection:\n    c-ip: 10.0.0.1\n  condition: not selection\n', 'unknown rule reference', 5, /filter names "a"/],
      ['title: f\nlogsource:\n  category: webserver\nfilter:\n  rules: [a]\n  selection:\n    c-ip|nope: 10.0.0.1\n  condition: not selection\n', 'unknown modifier', 7, /nope/],
      ['action: repeat\ntitle: x\n', 'bad rule collection', 1, /repeat/],
      ['action: merge\ntitle: x\n', 'bad rule collection', 1, /merge/],
      [Array.from({ length: 600 }, () => 'a: 1').join('\n---\n'), 'malformed YAML', undefined, /600 YAML documents/],
      ['title: !!binary x\n', 'bad rule attribute', 1, /title/],
    ];
    for (const [text, reason, line, detail] of cases) {
      const r = one(text);
      assert.equal(r.rules.length, 0, text.slice(0, 60));
      assert.equal(r.problems.length, 1, `${text.slice(0, 60)}: ${JSON.stringify(r.problems)}`);
      const p = r.problems[0]!;
      assert.equal(p.reason, reason, text.slice(0, 60));
      assert.equal(p.file, 'x.yml');
      if (line !== undefined) assert.equal(p.line, line, `${text.slice(0, 60)}: ${p.detail}`);
      assert.match(p.detail, detail, text.slice(0, 60));
    }
    assert.equal(cases.length, 23);
  });

  it('rule collections: action global, repeat and reset', () => {
    const text = [
      'action: global\nlogsource:\n  category: webserver\nlevel: high\ndetection:\n  condition: sel\n',
      'title: one\ndetection:\n  sel:\n    cs-method: GET\n',
      'action: repeat\ntitle: two\nlevel: low\n',
      'action: reset\n',
      'title: three\ndetection:\n  sel:\n    cs-method: GET\n  condition: sel\n',
    ].join('---\n');
    const r = one(text);
    assert.deepEqual(
      r.rules.map((x) => [x.title, x.level]),
      [
        ['one', 'high'],
        ['two', 'low'],
      ],
    );
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]!.reason, 'bad rule attribute', 'three lost the global logsource');
    assert.equal(r.problems[0]!.line, 19);
  });

  it('filters: a filter narrows the rules it names, in their log source', () => {
    const text = [
      RULE('a', 'id: rule-a\n'),
      RULE('b', 'id: rule-b\n'),
      'title: c\nid: rule-c\nlogsource:\n  product: linux\ndetection:\n  k: [x]\n  condition: k\n',
      'title: not from the scanner\nlogsource:\n  category: webserver\nfilter:\n  rules: [rule-a, rule-c]\n  scanner:\n    c-ip|cidr: 10.0.0.0/8\n  condition: not scanner\n',
      'title: and not HEAD\nlogsource:\n  category: webserver\nfilter:\n  rules: [rule-a]\n  head:\n    cs-method: HEAD\n  condition: not head\n',
    ].join('---\n');
    const r = compileSigmaRules([{ file: 'x.yml', text }], { blackoutMs: 0 });
    assert.deepEqual(r.problems.map((p) => [p.reason, p.line]), [['bad filter', 28]]);
    assert.equal(r.filters, 2);
    assert.equal(r.documents, 5);
    const ev = (ip: string, method = 'GET') => ({ time: 1, fields: { 'event.dataset': 'nginx.access', 'source.ip': ip, 'http.request.method': method }, line: { text: '', input: 't', receivedAt: 1 } });
    assert.deepEqual(r.detector.onEvent(ev('10.1.1.1')).map((a) => a.detector), ['rule-b']);
    assert.deepEqual(r.detector.onEvent(ev('192.0.2.1')).map((a) => a.detector), ['rule-a', 'rule-b']);
  });

  it('one bad document does not stop the others of its file', () => {
    const r = one(`${RULE('a')}---\ntitle: [\n---\n${RULE('b')}`);
    assert.deepEqual(r.rules.map((x) => x.title), ['a', 'b']);
    assert.equal(r.problems.length, 1);
  });
});
