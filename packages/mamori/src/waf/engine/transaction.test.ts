import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRawRequest } from '../request/raw.js';
import { BUILTIN_TRANSFORMATIONS as T } from '../transformations/builtins.js';
import { Macro } from './macros.js';
import { BUILTIN_OPERATORS, type OperatorContext } from './operators.js';
import { blankRule, type CompiledRule, type Phase, type Target } from './rule.js';
import { DEFAULT_BODY_LIMITS } from './limits.js';
import { DEFAULT_ARGUMENT_LIMITS } from './request-variables.js';
import { Transaction, type CompiledRules, type EngineMode } from './transaction.js';

const ctx: OperatorContext = {
  dir: '.',
  compileRegex: (source) => {
    const re = new RegExp(source, 's');
    return { test: (v) => re.test(v), exec: (v) => re.exec(v) };
  },
};

/** A rule from a few fields (the compiler's job in the product). */
function rule(p: Partial<CompiledRule> & { op?: [string, string, boolean?]; vars?: string[] }): CompiledRule {
  const targets: Target[] = (p.vars ?? []).map((v) => {
    const exclude = v.startsWith('!');
    const count = v.startsWith('&');
    const bare = v.replace(/^[!&]/, '');
    const [collection, key] = bare.includes(':') ? [bare.slice(0, bare.indexOf(':')), bare.slice(bare.indexOf(':') + 1)] : [bare, undefined];
    return { collection, key: key === undefined ? undefined : key.startsWith('/') ? { source: key, test: (k: string) => new RegExp(key.slice(1, -1), 'i').test(k) } : key.toLowerCase(), exclude, count };
  });
  const op = p.op ? { name: p.op[0], negated: p.op[2] ?? false, test: BUILTIN_OPERATORS[p.op[0]]!(p.op[1], ctx) } : undefined;
  return { ...blankRule(2), id: 1, location: 'test', targets, operator: op, log: true, auditLog: true, ...p };
}

const marker = (name: string, phase: Phase): CompiledRule => rule({ id: 0, phase, marker: name });
const setvar = (expr: string) => {
  const m = /^(!)?(\w+)\.([^=]+)(?:=([+-])?(.*))?$/.exec(expr)!;
  return { collection: m[2]!.toUpperCase(), key: new Macro(m[3]!), op: m[1] ? ('delete' as const) : m[4] === '+' ? ('add' as const) : m[4] === '-' ? ('sub' as const) : ('set' as const), value: new Macro(m[5] ?? '1') };
};

function compiled(rules: CompiledRule[], mode: EngineMode = 'On'): CompiledRules {
  const phases: CompiledRule[][] = [[], [], [], [], [], []];
  const markers = phases.map(() => new Map<string, number>());
  for (const r of rules) {
    const list = r.marker !== undefined ? phases.slice(1) : [phases[r.phase]!];
    for (const l of list) {
      if (r.marker !== undefined) markers[phases.indexOf(l)]!.set(r.marker, l.length);
      l.push(r);
    }
  }
  return {
    policy: {
      mode,
      requestBodyAccess: true,
      responseBodyAccess: false,
      responseBodyMimeTypes: ['text/html'],
      limits: { ...DEFAULT_ARGUMENT_LIMITS, maxArgs: 10_000 },
      bodyLimits: { ...DEFAULT_BODY_LIMITS, requestBodyNoFiles: 1 << 20 },
      blockAction: { 1: { action: 'pass', status: 403 }, 2: { action: 'pass', status: 403 }, 3: { action: 'pass', status: 403 }, 4: { action: 'pass', status: 403 }, 5: { action: 'pass', status: 403 } },
    },
    phases,
    markers,
  };
}

function run(rules: CompiledRule[], raw: string, mode: EngineMode = 'On'): Transaction {
  const p = parseRawRequest(raw);
  assert.ok(p.request, p.problem);
  const tx = new Transaction(compiled(rules, mode), p.request, 'id-1');
  tx.processRequestHeaders();
  tx.processRequestBody();
  return tx;
}

const FORM = 'POST /login.php?x=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: s=abc\r\nContent-Length: 33\r\n\r\nuser=admin%27+or+1%3D1--&pass=x%0';

test('anomaly scoring as CRS does it: matches add to TX, a later rule denies on the sum', () => {
  const rules = [
    rule({ id: 10, phase: 1, setVars: [setvar('tx.score=0')] }),
    rule({ id: 942, vars: ['ARGS'], op: ['rx', "'\\s*or\\s+\\d"], transformations: [T.lowercase!], setVars: [setvar('tx.score=+5')], msg: new Macro('SQLi in %{MATCHED_VAR_NAME}'), logData: new Macro('%{MATCHED_VAR}') }),
    rule({ id: 943, vars: ['ARGS_NAMES'], op: ['streq', 'pass'], setVars: [setvar('tx.score=+3')] }),
    rule({ id: 949, vars: ['TX:score'], op: ['ge', '%{tx.threshold}'], disruptive: 'deny', status: 403 }),
    rule({ id: 11, phase: 1, setVars: [setvar('tx.threshold=8')] }),
  ];
  const tx = run(rules, FORM);
  assert.deepEqual(tx.matched.map((m) => m.id), [10, 11, 942, 943, 949]);
  assert.equal(tx.tx.get('score')[0]?.value, '8');
  assert.deepEqual(tx.interruption, { ruleId: 949, action: 'deny', status: 403 });
  const sqli = tx.matched.find((m) => m.id === 942)!;
  assert.equal(sqli.msg, 'SQLi in ARGS:user');
  assert.equal(sqli.logData, "admin' or 1=1--");
  // Detection only: the same matches, no interruption.
  const watch = run(rules, FORM, 'DetectionOnly');
  assert.equal(watch.interruption, undefined);
  assert.equal(watch.matched.length, 5);
});

test('chains, captures, multiMatch, exclusions, counts, skips and markers', () => {
  const rules = [
    // A chain: both links must match; the second reads what the first captured.
    rule({ id: 20, vars: ['REQUEST_FILENAME'], op: ['rx', '/(\\w+)\\.php$'], capture: true, chain: rule({ id: 0, vars: ['TX:1'], op: ['streq', 'login'] }), setVars: [setvar('tx.chain=1')] }),
    rule({ id: 21, vars: ['REQUEST_FILENAME'], op: ['rx', 'nomatch'], chain: rule({ id: 0, vars: ['ARGS'], op: ['unconditionalMatch', ''] }) }),
    // A starter's setvar runs when it matches, before its link is tested (and stands when the link fails).
    rule({ id: 34, vars: ['REQUEST_BASENAME'], op: ['rx', '\\.(\\w+)$'], capture: true, setVars: [setvar('tx.ext=.%{tx.1}/')], chain: rule({ id: 0, vars: ['TX:ext'], op: ['within', '.exe/ .bat/'] }) }),
    // multiMatch: the value is tested before each transformation too (t:length makes it "3").
    rule({ id: 22, vars: ['ARGS:pass'], op: ['rx', '%0$'], multiMatch: true, transformations: [T.length!] }),
    rule({ id: 23, vars: ['ARGS:pass'], op: ['rx', '%0$'], transformations: [T.length!] }),
    // Exclusion and count.
    rule({ id: 24, vars: ['ARGS', '!ARGS:user'], op: ['rx', 'admin'] }),
    rule({ id: 25, vars: ['&ARGS'], op: ['eq', '3'] }),
    rule({ id: 26, vars: ['&REQUEST_COOKIES:s'], op: ['eq', '1'] }),
    rule({ id: 27, vars: ['ARGS:/^us/'], op: ['contains', 'admin'] }),
    // Negation.
    rule({ id: 28, vars: ['REQUEST_METHOD'], op: ['streq', 'GET', true] }),
    // skipAfter jumps over 30; skip:1 over 31.
    rule({ id: 29, skipAfter: 'END' }),
    rule({ id: 30, setVars: [setvar('tx.skipped=1')] }),
    marker('END', 2),
    rule({ id: 32, skip: 1 }),
    rule({ id: 31, setVars: [setvar('tx.skipped=1')] }),
    rule({ id: 33, setVars: [setvar('!tx.chain')] }),
    // Actions run once for each value a rule matches, with that value's MATCHED_VAR.
    rule({ id: 35, vars: ['ARGS'], op: ['unconditionalMatch', ''], setVars: [setvar('tx.n=+1'), setvar('tx.seen_%{MATCHED_VAR_NAME}=1')] }),
  ];
  const tx = run(rules, FORM);
  assert.deepEqual(tx.matched.map((m) => m.id), [20, 22, 25, 26, 27, 28, 29, 32, 33, 35]);
  assert.equal(tx.tx.get('n')[0]?.value, '3');
  assert.deepEqual(['args:x', 'args:user', 'args:pass'].map((k) => tx.tx.get(`seen_${k}`).length), [1, 1, 1]);
  assert.equal(tx.tx.get('1')[0]?.value, 'php');
  assert.equal(tx.tx.get('ext')[0]?.value, '.php/');
  assert.equal(tx.tx.get('skipped').length, 0);
  assert.equal(tx.tx.get('chain').length, 0);
});

test('ctl removes rules and targets for this transaction only; block follows SecDefaultAction; allow stops', () => {
  const rules = [
    rule({ id: 1, phase: 1, vars: ['REQUEST_FILENAME'], op: ['endsWith', 'login.php'], ctls: [{ name: 'ruleRemoveTargetById', value: new Macro('40;ARGS:user') }, { name: 'ruleRemoveById', value: new Macro('41-42') }] }),
    rule({ id: 40, vars: ['ARGS'], op: ['contains', 'admin'], disruptive: 'block' }),
    rule({ id: 41, vars: ['ARGS'], op: ['unconditionalMatch', ''], disruptive: 'deny' }),
    rule({ id: 43, vars: ['ARGS:pass'], op: ['streq', 'x%0'], disruptive: 'allow' }),
    rule({ id: 44, disruptive: 'deny' }),
  ];
  const tx = run(rules, FORM);
  assert.deepEqual(tx.matched.map((m) => m.id), [1, 43]);
  assert.equal(tx.interruption, undefined);
  // Without the ctl rule: 40 matches and blocks (SecDefaultAction pass: goes on), 41 denies.
  const tx2 = run(rules.slice(1), FORM);
  assert.deepEqual(tx2.matched.map((m) => m.id), [40, 41]);
  assert.equal(tx2.interruption?.ruleId, 41);
});

test('a body with more arguments, values or parts than the limits is a body error, not a silent drop', () => {
  const form = Array.from({ length: 10_001 }, (_, i) => `a${i}=1`).join('&') + "&q=' or 1=1--";
  const json = JSON.stringify(Array.from({ length: 10_001 }, () => 1));
  const cases: [string, string, RegExp][] = [
    ['application/x-www-form-urlencoded', form, /more than 10000 arguments/],
    ['application/json', json, /more than 10000 arguments/],
  ];
  for (const [ct, body, re] of cases) {
    const raw = `POST / HTTP/1.1\r\nHost: h\r\nContent-Type: ${ct}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const rules = [rule({ id: 1, phase: 1, vars: ['REQUEST_HEADERS:Content-Type'], op: ['rx', 'json'], ctls: [{ name: 'requestBodyProcessor', value: new Macro('JSON') }] }), rule({ id: 2, vars: ['REQBODY_ERROR'], op: ['eq', '1'], disruptive: 'deny', status: 400 })];
    const tx = run(rules, raw);
    assert.match(tx.vars.get('REQBODY_ERROR_MSG')?.entries[0]?.value ?? '', re);
    assert.equal(tx.interruption?.status, 400);
  }
});

test("a chain's next link can test MATCHED_VAR and MATCHED_VAR_NAME: the last match's value and name", () => {
  const raw = 'GET / HTTP/1.1\r\nHost: h\r\nReferer: http://x/#a=1;cat$u /etc$u/passwd\r\n\r\n';
  // (After link2 matched MATCHED_VAR, that is the last match's name.)
  const link3 = rule({ id: 0, vars: ['MATCHED_VAR_NAME'], op: ['streq', 'MATCHED_VAR'] });
  const link2 = rule({ id: 0, vars: ['MATCHED_VAR'], op: ['rx', '/etc'], chain: link3 });
  // The second link's capture replaces TX:0, but MATCHED_VAR keeps the value it matched.
  const link1 = rule({ id: 0, vars: ['TX:0'], op: ['rx', '\\$[a-z]'], capture: true, chain: link2 });
  const tx = run([rule({ id: 50, phase: 1, vars: ['REQUEST_HEADERS:Referer'], op: ['rx', '#.*'], capture: true, chain: link1 })], raw);
  assert.deepEqual(tx.matched.map((m) => m.id), [50]);
  assert.equal(tx.tx.get('0')[0]?.value, '$u');
  assert.equal(tx.matched[0]?.matchedValue, 'MATCHED_VAR');
});

test('REQUEST_BODY holds the raw body for forms, JSON and bodies no processor reads; not for multipart or XML', () => {
  const body = (ct: string, b: string) => `POST / HTTP/1.1\r\nHost: h\r\nContent-Type: ${ct}\r\nContent-Length: ${b.length}\r\n\r\n${b}`;
  const toJson = rule({ id: 1, phase: 1, vars: ['REQUEST_HEADERS:Content-Type'], op: ['rx', 'json'], ctls: [{ name: 'requestBodyProcessor', value: new Macro('JSON') }] });
  const cases: [string, string, string | undefined][] = [
    ['application/x-www-form-urlencoded', 'a=1', 'a=1'],
    ['application/json', '{"roles__in":["a"]}', '{"roles__in":["a"]}'],
    ['text/plain', 'hi', 'hi'],
    ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n', undefined],
  ];
  for (const [ct, b, want] of cases) assert.equal(run([toJson], body(ct, b)).vars.get('REQUEST_BODY')?.entries[0]?.value, want, ct);
});
