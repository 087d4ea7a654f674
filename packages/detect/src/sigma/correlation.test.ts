import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileSigmaRules, type SigmaOptions } from './engine.js';
import type { Alert, LogEvent } from '../model.js';
import { web } from './events.case.js';

/** Two base rules on web events (a: GET /a, b: GET /b, c: POST) and a correlation over them. */
function load(correlation: string, options: SigmaOptions = {}) {
  const base = ['a', 'b', 'c']
    .map((n) => `title: rule ${n}\nname: rule_${n}\nid: id-${n}\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    ${n === 'c' ? 'cs-method: POST' : `cs-uri-stem: /${n}`}\n  condition: sel\nlevel: low\n`)
    .join('---\n');
  const r = compileSigmaRules([{ file: 'c.yml', text: `${base}---\ntitle: the correlation\nid: corr\n${correlation}` }], { blackoutMs: 0, ...options });
  return r;
}
function run(detector: { onEvent(e: LogEvent): readonly Alert[] }, events: LogEvent[]): Alert[] {
  return events.flatMap((e) => detector.onEvent(e));
}
const at = (path: string, time: number, ip = '192.0.2.1', method = 'GET') => web(path, { time, ip, method });
const corr = (a: Alert[]) => a.filter((x) => x.detector === 'corr');

describe('Sigma correlations', () => {
  it('temporal: every rule within the timespan, in any order, per group', () => {
    const r = load('correlation:\n  type: temporal\n  rules: [rule_a, id-b]\n  group-by: [c-ip]\n  timespan: 10s\n');
    assert.deepEqual(r.problems, []);
    let out = run(r.detector, [at('/b', 1000), at('/a', 2000, '192.0.2.2'), at('/a', 5000)]);
    assert.equal(corr(out).length, 1);
    assert.deepEqual(corr(out)[0]!.group, { 'source.ip': '192.0.2.1' });
    assert.equal(corr(out)[0]!.firstTime, 1000);
    // Too far apart.
    out = run(load('correlation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  group-by: [c-ip]\n  timespan: 10s\n').detector, [at('/a', 1000), at('/b', 11_001)]);
    assert.equal(corr(out).length, 0);
  });

  it('temporal_ordered: only in the order written; one event does not fill two steps', () => {
    const text = 'correlation:\n  type: temporal_ordered\n  rules: [rule_a, rule_c]\n  group-by: [c-ip]\n  timespan: 1m\n';
    assert.equal(corr(run(load(text).detector, [at('/x', 1000, undefined, 'POST'), at('/a', 2000)])).length, 0);
    assert.equal(corr(run(load(text).detector, [at('/a', 1000), at('/x', 2000, undefined, 'POST')])).length, 1);
    // POST /a matches both rules: alone it is not a chain; a later POST completes it.
    const d = load(text).detector;
    assert.equal(corr(run(d, [at('/a', 1000, undefined, 'POST')])).length, 0);
    assert.equal(corr(run(d, [at('/y', 2000, undefined, 'POST')])).length, 1);
    // a, then a minute later c: outside the window.
    assert.equal(corr(run(load(text).detector, [at('/a', 1000), at('/x', 61_000, undefined, 'POST')])).length, 0);
  });

  it('event_count with an upper bound is judged when its window ends', () => {
    const r = load('correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 2\n    lt: 4\n');
    const out = run(r.detector, [at('/a', 0), at('/a', 1000), at('/a', 2000), at('/a', 0, '192.0.2.9')]);
    assert.equal(corr(out).length, 0, 'not before the window ends');
    const later = r.detector.advance(60_000);
    assert.equal(later.length, 1, 'two groups: three events is in range, one is not');
    assert.equal(later[0]!.count, 3);
    assert.deepEqual(later[0]!.group, { 'source.ip': '192.0.2.1' });
    // eq, judged when a later event of the group opens the next window.
    const e = load('correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 10s\n  condition:\n    eq: 2\n');
    assert.equal(corr(run(e.detector, [at('/a', 0), at('/a', 1000), at('/a', 10_000)])).length, 1);
  });

  it('value_count counts distinct values, with aliases across rules', () => {
    const r = load(
      'correlation:\n  type: value_count\n  rules: [rule_a, rule_b]\n  group-by: [client]\n  timespan: 1m\n  aliases:\n    client:\n      rule_a: c-ip\n      rule_b: source.ip\n  condition:\n    field: cs-uri-stem\n    gt: 1\n',
    );
    assert.deepEqual(r.problems, []);
    const out = run(r.detector, [at('/a', 0), at('/a', 1), at('/b', 2)]);
    assert.equal(corr(out).length, 1);
    assert.deepEqual(corr(out)[0]!.group, { 'source.ip': '192.0.2.1' }, 'both aliased fields are source.ip');
    assert.equal(corr(out)[0]!.count, 3);
  });

  it('an alias over different fields keeps its own name in the group', () => {
    const r = load('correlation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  group-by: [who]\n  timespan: 10s\n  aliases:\n    who:\n      rule_a: c-ip\n      rule_b: cs-referrer\n');
    assert.deepEqual(r.problems, []);
    const b = web('/b', { time: 2000, ip: '198.51.100.1', extra: { 'http.request.referrer': '192.0.2.1' } });
    const out = corr(run(r.detector, [at('/a', 1000), b]));
    assert.equal(out.length, 1);
    assert.deepEqual(out[0]!.group, { who: '192.0.2.1' });
  });

  it('generate: the referenced rules alert on their own only when asked', () => {
    const quiet = load('correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 10\n');
    assert.deepEqual(run(quiet.detector, [at('/a', 0), at('/b', 0)]).map((a) => a.detector), ['id-b']);
    const loud = load('correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 10\n  generate: true\n');
    assert.deepEqual(run(loud.detector, [at('/a', 0)]).map((a) => a.detector), ['id-a']);
    assert.equal(quiet.rules.find((x) => x.detector === 'id-a')!.alerts, false);
  });

  it('keeps at most maxGroups groups (the idlest go first) and forgets idle groups as time passes', () => {
    const r = load('correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 1h\n  condition:\n    gte: 3\n', { maxGroups: 100 });
    const d = r.detector;
    for (let i = 0; i < 5000; i++) d.onEvent(at('/a', i, `10.0.${i >> 8}.${i & 255}`));
    const st = d.stats.correlations['corr']!;
    assert.equal(st.groups <= 100, true);
    assert.equal(st.evicted, 4900);
    d.advance(10 * 3_600_000);
    assert.equal(d.stats.correlations['corr']!.groups, 0);
    // maxTracked bounds the timestamps held across groups.
    const t = load('correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 1h\n  condition:\n    gte: 1000\n', { maxTracked: 500 });
    for (let i = 0; i < 2000; i++) t.detector.onEvent(at('/a', i, `10.1.${i % 7}.1`));
    assert.equal(t.detector.stats.correlations['corr']!.evicted > 0, true);
  });

  it('is deterministic: the same events give the same alerts', () => {
    const text = 'correlation:\n  type: event_count\n  rules: [rule_a, rule_b]\n  group-by: [c-ip]\n  timespan: 30s\n  condition:\n    gte: 3\n';
    const events: LogEvent[] = [];
    for (let i = 0; i < 2000; i++) events.push(at(i % 3 ? '/a' : '/b', i * 250, `198.51.100.${(i * 7) % 13}`));
    const once = JSON.stringify(run(load(text).detector, events));
    const twice = JSON.stringify(run(load(text).detector, events));
    assert.equal(once, twice);
    assert.ok(JSON.parse(once).length > 10);
  });

  it('skips events that lack a group-by field, and counts them', () => {
    const r = load('correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [cs-referrer]\n  timespan: 1m\n  condition:\n    gte: 1\n');
    assert.equal(corr(run(r.detector, [at('/a', 0)])).length, 0);
    assert.equal(r.detector.stats.correlations['corr']!.skippedNoGroupField, 1);
  });

  it('chains: a correlation of correlations reads the alerts of the lower one (its group)', () => {
    const lower = 'correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 10s\n  condition:\n    gte: 2\n';
    const upper = (gen: boolean, gb = 'c-ip') =>
      `---\ntitle: repeated bursts\nid: upper\ncorrelation:\n  type: event_count\n  rules: [corr]\n  group-by: [${gb}]\n  timespan: 5m\n  condition:\n    gte: 3\n${gen ? '  generate: true\n' : ''}`;
    const events = [0, 1, 20, 21, 40, 41, 60].map((s) => at('/a', s * 1000));
    let r = load(lower + upper(false));
    assert.deepEqual(r.problems, []);
    let out = run(r.detector, events);
    assert.deepEqual(out.map((a) => a.detector), ['upper'], 'the lower one feeds the upper one only');
    assert.deepEqual(r.rules.filter((x) => x.kind === 'correlation').map((x) => [x.detector, x.alerts]), [['corr', false], ['upper', true]]);
    assert.equal(out[0]!.count, 3);
    assert.deepEqual(out[0]!.group, { 'source.ip': '192.0.2.1' });
    assert.equal(out[0]!.time, 41_000);
    r = load(lower + upper(true));
    out = run(r.detector, events);
    assert.deepEqual(out.map((a) => a.detector), ['corr', 'corr', 'corr', 'upper']);
    const bad = load(lower + upper(false, 'cs-method'));
    assert.equal(bad.problems[0]!.reason, 'field with no mapping');
    assert.match(bad.problems[0]!.detail, /not in the group-by of correlation corr/);
  });

  it('leaves out of windows an event whose time is not a number', () => {
    const r = load('correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 2\n');
    assert.equal(corr(run(r.detector, [at('/a', Number.NaN), at('/a', 1000)])).length, 0);
    assert.equal(corr(run(r.detector, [at('/a', 2000)])).length, 1);
    assert.equal(r.detector.stats.correlations['corr']!.skippedNoGroupField, 1);
  });

  it('reports correlations it cannot run', () => {
    const cases: [string, string, RegExp][] = [
      ['correlation:\n  type: event_count\n  rules: [nope]\n  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 1\n', 'unknown rule reference', /nope/],
      ['correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 1w\n  condition:\n    gte: 1\n', 'bad correlation', /timespan/],
      ['correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 1m\n', 'bad correlation', /needs a condition/],
      ['correlation:\n  type: value_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 2\n', 'bad correlation', /field/],
      ['correlation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [no-such-field]\n  timespan: 1m\n  condition:\n    gte: 1\n', 'field with no mapping', /no-such-field/],
      ['correlation:\n  type: sequence\n  rules: [rule_a]\n  timespan: 1m\n', 'unsupported correlation', /sequence/],
      ['correlation:\n  type: event_count\n  rules: [rule_a]\n  timespan: 1m\n  condition:\n    between: 1\n', 'unsupported correlation', /between/],
      ['correlation:\n  type: event_count\n  rules: [rule_a]\n  timespan: 1m\n  condition:\n    gte: 50000\n', 'correlation too large', /10000/],
      ['correlation:\n  type: event_count\n  rules: [corr]\n  timespan: 1m\n  condition:\n    gte: 2\n', 'unsupported correlation', /loop/],
    ];
    for (const [text, reason, detail] of cases) {
      const r = load(text);
      assert.equal(r.problems.length, 1, text);
      assert.equal(r.problems[0]!.reason, reason, text);
      assert.match(r.problems[0]!.detail, detail, text);
      assert.ok(r.problems[0]!.line! > 20, 'a line inside the correlation document');
    }
    assert.equal(cases.length, 9);
  });
});

describe('Sigma prefilter', () => {
  it('skipping rules by their literals changes no alert (differential over 6,000 events)', async () => {
    const { loadSigmaRules } = await import('./engine.js');
    const { fileURLToPath } = await import('node:url');
    const dir = fileURLToPath(new URL('../../src/sigma/testdata/rules/', import.meta.url));
    const on = loadSigmaRules(dir, { blackoutMs: 0 }).detector;
    const off = loadSigmaRules(dir, { blackoutMs: 0, prefilter: false }).detector;
    // Start the per-event stamps just below where they wrap, so the run crosses it.
    type Stamped = { epoch: number; byDataset: Map<string, { triggers: Map<{ epoch: number }, unknown> }> };
    const inner = on as unknown as Stamped;
    inner.epoch = 0x7fff_fff0 - 1000;
    for (const plan of inner.byDataset.values()) for (const auto of plan.triggers.keys()) auto.epoch = 0x7fff_fff0 - 1500;
    const { sshd } = await import('./events.case.js');
    const paths = ['/', '/.env', '/a/../../etc/passwd', '/x.php', '/wp-content/uploads/s.php', '/%2e%2e%2fboot.ini', '/.git/config'];
    const queries = ['', 'cmd=id', 'a=../x', `q=${Buffer.from('xx whoami').toString('base64')}`, 'page=2'];
    const uas = ['Mozilla/5.0', 'sqlmap/1.7', '', '-', 'NUCLEI'];
    const msgs = ['Failed password for root from 192.0.2.1', 'Invalid user x from 192.0.2.2', 'Accepted publickey for root from 192.0.2.3', 'session opened'];
    let a = 0;
    for (let i = 0; i < 6000; i++) {
      const e =
        i % 4 === 3
          ? sshd(msgs[i % msgs.length]!, { ip: `192.0.2.${i % 5}`, user: `u${i % 6}`, time: i * 100 })
          : web(paths[i % paths.length]!, { query: queries[i % queries.length]!, ua: uas[i % uas.length]!, ip: `198.51.100.${i % 9}`, method: i % 3 ? 'GET' : 'POST', status: i % 11 ? 200 : 404, time: i * 100 });
      const x = JSON.stringify(on.onEvent(e));
      assert.equal(x, JSON.stringify(off.onEvent(e)), `event ${i}`);
      a += JSON.parse(x).length;
    }
    assert.ok(a > 500, `${a} alerts`);
  });
});

describe('Sigma prefilter on regular expressions and mixed rules', () => {
  it('gives the same alerts with and without skipping (3,000 events, 40 generated rules)', async () => {
    const { compileSigmaRules: compile } = await import('./engine.js');
    const pats = ['(?:union|select)[^a-z]{1,20}from', 'a{2,}dmin\\.php', '\\.\\./(etc|windows)/', 'cmd=[a-z]+', '^/api/v[0-9]+/users$', 'sel.ct', 'x?y?z?', 'WHOAMI'];
    const docs: string[] = [];
    pats.forEach((p, i) => {
      for (const flags of ['', '|i']) docs.push(`title: re ${i}${flags}\nid: re-${i}${flags}\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    c-uri|re${flags}: '${p}'\n  condition: sel\n`);
    });
    for (let i = 0; i < 24; i++) {
      const v = ['admin', 'select', 'etc/', 'cmd', 'users', '.php', 'whoami', 'x'][i % 8]!;
      const mod = ['contains', 'startswith', 'endswith', 'contains|all', 'contains|windash', 'base64offset|contains'][i % 6]!;
      docs.push(`title: g ${i}\nid: g-${i}\nlogsource:\n  category: webserver\ndetection:\n  a:\n    c-uri|${mod}:\n      - '${v}'\n      - '/${v}${mod.includes('base64') ? '' : '?'}'\n  b:\n    - '${v}*=*'\n  condition: ${i % 3 === 0 ? 'a or b' : i % 3 === 1 ? 'a and not b' : '1 of them'}\n`);
    }
    const text = docs.join('---\n');
    const on = compile([{ file: 'g.yml', text }], { blackoutMs: 0 });
    const off = compile([{ file: 'g.yml', text }], { blackoutMs: 0, prefilter: false });
    assert.deepEqual(on.problems, []);
    const parts = ['/', 'api/v2/users', 'aadmin.php', 'Admin', '../etc/', 'cmd=ls', 'union select 1 from', 'SELECT', 'x', 'whoami', Buffer.from('xwhoami').toString('base64'), '.php', '?', '-', '/'];
    let seed = 5;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let alerts = 0;
    for (let i = 0; i < 3000; i++) {
      const uri = Array.from({ length: 1 + Math.floor(next() * 4) }, () => parts[Math.floor(next() * parts.length)]!).join('');
      const e = web(uri, { time: i });
      const a = JSON.stringify(on.detector.onEvent({ ...e, fields: { ...e.fields, 'url.original': uri } }));
      assert.equal(a, JSON.stringify(off.detector.onEvent({ ...e, fields: { ...e.fields, 'url.original': uri } })), uri);
      alerts += JSON.parse(a).length;
    }
    assert.ok(alerts > 1000, `${alerts} alerts`);
  });
});
