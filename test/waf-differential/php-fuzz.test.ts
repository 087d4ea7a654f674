/**
 * Grammar mutations of multipart and urlencoded bodies (the WAFFLED method: a valid body, one
 * or more of its pieces rewritten as readers disagree on them), each given to PHP (php-cgi)
 * and to the WAF's body reader. For every body, either mamori flags it (REQBODY_ERROR or
 * MULTIPART_STRICT_ERROR), or every value and file name PHP read is among what the WAF
 * inspected. Deterministic: a seeded generator, the same cases on every run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadWaf, parseRawRequest } from 'mamori/waf';
import { FORM, phpJsonReads, phpMissing, phpName, phpReads, request } from './harness.js';

// The engine alone (no rules): what its readers put in ARGS and FILES.
const waf = loadWaf({ text: 'SecRuleEngine On\nSecRequestBodyAccess On\n', file: 'bare.conf' });

function wafReads(raw: string): { flagged: string | undefined; values: Set<string>; files: Set<string>; names: Set<string> } {
  const tx = waf.transaction(parseRawRequest(raw).request!);
  tx.processRequestHeaders();
  tx.processRequestBody();
  const one = (n: string) => tx.vars.get(n)?.entries[0]?.value;
  const flagged = one('REQBODY_ERROR') === '1' ? `REQBODY_ERROR ${one('REQBODY_ERROR_MSG')}` : one('MULTIPART_STRICT_ERROR') === '1' ? 'MULTIPART_STRICT_ERROR' : undefined;
  const names = new Set([...(tx.vars.get('ARGS_NAMES')?.entries ?? []), ...(tx.vars.get('FILES_NAMES')?.entries ?? [])].map((e) => phpName(e.value)));
  return { flagged, values: new Set((tx.vars.get('ARGS')?.entries ?? []).map((e) => e.value)), files: new Set((tx.vars.get('FILES')?.entries ?? []).map((e) => e.value)), names };
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B = 'xYzBoUnD42';
/** Where a multipart body's pieces can be rewritten, each with the variants readers disagree on. */
const CT_VARIANTS = [`multipart/form-data; boundary=${B}`, `multipart/form-data; boundary="${B}"`, `multipart/form-data;boundary=${B}`, `multipart/form-data boundary=${B}`, `multipart/form-data, boundary=${B}`, `Multipart/Form-Data; BOUNDARY=${B}`, `multipart/form-data; charset=utf-8; boundary=${B}`, `multipart/form-data; boundary=${B}; x=1`, `multipart/form-data; boundary=${B} `, `multipart/form-data; xboundary=A; boundary=${B}`, `multipart/mixed; boundary=${B}`];
const EOL = ['\r\n', '\n', '\r\n', '\r\n', '\r', '\r\n '];
const DISPOSITIONS = (n: string) => [
  `form-data; name="${n}"`,
  `form-data; name=${n}`,
  `form-data; name='${n}'`,
  `form-data;name="${n}"`,
  `form-data ; name = "${n}"`,
  `FORM-DATA; NAME="${n}"`,
  `form-data; name="${n}"; name="z${n}"`,
  `form-data; name="z${n}"; name="${n}"`,
  `form-data; name="${n}"; filename="${n}.txt"`,
  `form-data; filename="${n}.txt"; name="${n}"`,
  `form-data; name="${n}"; filename*=UTF-8''${n}.php`,
  `form-data; name="${n}"; filename="a\\"b.php"`,
  `form-data; name="${n}\\"x"`,
  `form-data name="${n}"`,
  `attachment; name="${n}"`,
  `form-data; name="${n}"; x="; name=y"`,
  `form-data; name="${n}`,
  `form-data; name=${n}'x; filename='y.txt'`,
];
const EXTRA_HEADERS = ['', 'Content-Type: text/plain', 'Content-Type: text/plain; charset=utf-7', 'Content-Transfer-Encoding: base64', ' folded', 'X: y', 'Content-Disposition: form-data; name="dup"'];

function multipartCase(r: () => number, i: number): { ct: string; body: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  // Most pieces stay as browsers write them; each is rewritten with some chance.
  const maybe = <T>(normal: T, xs: readonly T[], p = 0.25): T => (r() < p ? pick(xs) : normal);
  const ct = maybe(CT_VARIANTS[0]!, CT_VARIANTS, 0.3);
  const parts: string[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const name = `f${k}`;
    const eol = maybe('\r\n', EOL, 0.15);
    const disposition = maybe(DISPOSITIONS(name)[0]!, DISPOSITIONS(name), 0.35);
    const extra = maybe('', EXTRA_HEADERS, 0.2);
    const head = [extra.startsWith(' ') ? '' : extra, `Content-Disposition: ${disposition}`, extra.startsWith(' ') ? extra : ''].filter((h) => h !== '').join(eol);
    const value = maybe(`v${i}-${k}`, [`v${i}-${k}\r\n--${B}x`, `v${i}-${k}\n--${B}\r\nContent-Disposition: form-data; name="h${k}"\r\n\r\nh${i}-${k}`, `v${i}-${k}\0tail`, `--${B}`], 0.1);
    const delimiter = maybe(`--${B}`, [`--${B}  `, `--${B}x`, `--${B.toLowerCase()}`, `-- ${B}`], 0.08);
    parts.push(`${delimiter}${eol}${head}${eol}${maybe(eol, ['', eol + eol], 0.08)}${value}${maybe('\r\n', ['\n', ''], 0.1)}`);
  }
  const preamble = maybe('', [`Content-Disposition: form-data; name="pre"\r\n\r\npre${i}\r\n`, 'junk\r\n'], 0.08);
  const close = maybe(`--${B}--\r\n`, [`--${B}--`, `--${B}--\r\nafter${i}`, `--${B}--\r\n--${B}\r\nContent-Disposition: form-data; name="late"\r\n\r\nlate${i}\r\n--${B}--\r\n`, '', `--${B}-- \r\n`], 0.12);
  return { ct, body: preamble + parts.join('') + close };
}

function urlencodedCase(r: () => number, i: number): { ct: string; body: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const names = ['a', 'a.b', 'a[b', 'a[]', 'a[x]', ' a', 'a%00b', 'a%5B%5D', 'A', '%61', 'a b', 'a+b', '_charset_'];
  const seps = ['&', '&', '&', ';', '&&', '&amp;'];
  const cts = [FORM, FORM, `${FORM}; charset=utf-8`, `${FORM}, text/plain`, `${FORM} x`, FORM.toUpperCase(), `${FORM};`, 'text/plain', 'application/json'];
  const n = 1 + Math.floor(r() * 4);
  const pairs: string[] = [];
  for (let k = 0; k < n; k++) {
    const v = pick([`v${i}-${k}`, `v${i}-${k}%zz`, `v${i}-${k}%`, `v${i}%2D${k}`, `v${i}-${k}=x`, `v${i}+${k}`, `v${i}%u0041${k}`]);
    pairs.push(r() < 0.1 ? v : `${pick(names)}=${v}`);
  }
  return { ct: pick(cts), body: pairs.map((p, k) => (k === 0 ? p : pick(seps) + p)).join('') };
}

describe('e2e: PHP and the WAF read mutated bodies alike, or mamori flags them', { skip: phpMissing }, () => {
  for (const [kind, make, count] of [
    ['multipart', multipartCase, 400],
    ['urlencoded', urlencodedCase, 200],
  ] as const) {
    it(`${count} ${kind} mutations`, () => {
      const r = rng(kind === 'multipart' ? 11 : 12);
      const problems: string[] = [];
      let flagged = 0;
      let ran = 0;
      for (let i = 0; i < count; i++) {
        const { ct, body } = make(r, i);
        const raw = request({ headers: { 'Content-Type': ct }, body });
        const w = wafReads(raw);
        const php = phpReads(ct, body);
        ran++;
        if (w.flagged) {
          flagged++;
          continue;
        }
        for (const [n, v] of php.post) if (v !== '' && !w.values.has(v)) problems.push(`#${i} ${JSON.stringify(ct)} ${JSON.stringify(body)}: PHP's ${JSON.stringify(n)} = ${JSON.stringify(v)} not inspected`);
        for (const [n] of [...php.post, ...php.files]) if (!n.includes('[') && !w.names.has(n)) problems.push(`#${i} ${JSON.stringify(ct)} ${JSON.stringify(body)}: PHP's name ${JSON.stringify(n)} not inspected`);
        for (const [f, name] of php.files) if (name !== '' && !w.files.has(name)) problems.push(`#${i} ${JSON.stringify(ct)} ${JSON.stringify(body)}: PHP's upload ${JSON.stringify(f)} named ${JSON.stringify(name)} not inspected`);
      }
      assert.deepEqual(problems, []);
      assert.equal(ran, count);
      // The generator rewrites a piece with some chance: most bodies are flagged, and some are not (the check compared readings).
      assert.ok(flagged < count, `${flagged} of ${count} flagged`);
      console.log(`# ${kind}: ${ran} mutated bodies, ${flagged} flagged by mamori, ${ran - flagged} read alike by PHP and the WAF`);
    });
  }
});

/** Node's own readings of a body: URLSearchParams for a form, JSON.parse for JSON (strings and keys), as byte strings. */
function nodeReads(body: string): { form: string[]; json: string[] | undefined } {
  const utf8 = Buffer.from(body, 'latin1').toString('utf8');
  const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
  const form = [...new URLSearchParams(utf8).values()].map(bytes);
  let json: string[] | undefined;
  try {
    const leaves: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') leaves.push(bytes(v));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (walk(x), Array.isArray(v) || leaves.push(''));
    };
    walk(JSON.parse(utf8.replace(/^\ufeff/, '')));
    json = leaves;
  } catch {
    json = undefined;
  }
  return { form, json };
}

function jsonCase(r: () => number, i: number): { ct: string | null; body: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cts = ['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'text/plain;charset=UTF-8', null, FORM, 'application/x-json', 'application/json; charset=utf-16le', 'application/vnd.api+json', 'application/json, text/plain'];
  const values = [`"v${i}"`, `"v\\u0030${i}"`, `"v${i}\\"x"`, `["v${i}",["w${i}"]]`, `{"k":"v${i}"}`, `"v${i}\\u0000"`, '1e400', 'true'];
  const keys = ['a', 'b', '\\u0061', '__proto__', 'constructor', 'a.b', ''];
  const n = 1 + Math.floor(r() * 3);
  const members: string[] = [];
  for (let k = 0; k < n; k++) members.push(`"${pick(keys)}":${pick(values)}`);
  let body = `{${members.join(pick([',', ',', ' , ']))}}`;
  const twist = r();
  if (twist < 0.08) body = `\xef\xbb\xbf${body}`;
  else if (twist < 0.14) body = `${body}/*c*/`;
  else if (twist < 0.2) body = body.replace(/}$/, ',}');
  else if (twist < 0.25) body = Buffer.from(body, 'utf8').toString('utf16le');
  else if (twist < 0.3) body = `${body}\n${body}`;
  else if (twist < 0.35) body = `[${body}]`;
  return { ct: pick(cts), body };
}

describe('e2e: JSON bodies under any type: what PHP json_decode and Node JSON.parse read, the WAF inspected, or mamori flags the body', { skip: phpMissing }, () => {
  it('300 JSON mutations', () => {
    const r = rng(13);
    const problems: string[] = [];
    let flagged = 0;
    let ran = 0;
    for (let i = 0; i < 300; i++) {
      const { ct, body } = jsonCase(r, i);
      const raw = request({ headers: { 'Content-Type': ct }, body });
      const w = jsonWafReads(raw);
      ran++;
      if (w.flagged) {
        flagged++;
        continue;
      }
      const php = phpJsonReads(ct ?? undefined, body) ?? [];
      const node = nodeReads(body);
      for (const [n, v] of php) if (v !== '' && !w.values.has(v)) problems.push(`#${i} ${ct} ${JSON.stringify(body)}: json_decode's ${JSON.stringify(n)} = ${JSON.stringify(v)} not inspected`);
      for (const v of node.json ?? []) if (v !== '' && !w.values.has(v)) problems.push(`#${i} ${ct} ${JSON.stringify(body)}: JSON.parse's ${JSON.stringify(v)} not inspected`);
    }
    assert.deepEqual(problems, []);
    assert.equal(ran, 300);
    assert.ok(flagged < ran);
    console.log(`# JSON: ${ran} mutated bodies, ${flagged} flagged by mamori, ${ran - flagged} read alike by json_decode, JSON.parse and the WAF`);
  });

  it("URLSearchParams reads no value of a form the WAF did not inspect (or mamori flags it)", () => {
    const r = rng(14);
    const problems: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { ct, body } = urlencodedCase(r, i);
      if (!/urlencoded/i.test(ct)) continue;
      const w = wafReads(request({ headers: { 'Content-Type': ct }, body }));
      if (w.flagged) continue;
      for (const v of nodeReads(body).form) if (v !== '' && !w.values.has(v)) problems.push(`#${i} ${JSON.stringify(body)}: URLSearchParams' ${JSON.stringify(v)} not inspected`);
    }
    assert.deepEqual(problems, []);
  });
});

// The engine with the JSON processor chosen by Content-Type, as crsSetup chooses it.
const jsonWaf = loadWaf({
  text: 'SecRuleEngine On\nSecRequestBodyAccess On\nSecRule REQUEST_HEADERS:Content-Type "@rx ^application/(?:.+\\+)?json" "id:1,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"\n',
  file: 'json.conf',
});
function jsonWafReads(raw: string): { flagged: string | undefined; values: Set<string> } {
  const tx = jsonWaf.transaction(parseRawRequest(raw).request!);
  tx.processRequestHeaders();
  tx.processRequestBody();
  const one = (n: string) => tx.vars.get(n)?.entries[0]?.value;
  const values = new Set([...(tx.vars.get('ARGS')?.entries ?? []).map((e) => e.value), ...(tx.vars.get('ARGS_NAMES')?.entries ?? []).map((e) => e.value)]);
  return { flagged: one('REQBODY_ERROR') === '1' ? `REQBODY_ERROR ${one('REQBODY_ERROR_MSG')}` : undefined, values };
}

/** What Node's own multipart reader (undici's Response#formData, Node 20's fetch) reads: values and upload names, byte strings; undefined when it refuses the body. */
async function undiciReads(ct: string, body: string): Promise<{ values: string[]; files: string[] } | undefined> {
  try {
    const form = await new Response(Buffer.from(body, 'latin1'), { headers: { 'content-type': ct } }).formData();
    const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
    const values: string[] = [];
    const files: string[] = [];
    for (const [, v] of form) typeof v === 'string' ? values.push(bytes(v)) : files.push(bytes(v.name));
    return { values, files };
  } catch {
    return undefined;
  }
}

describe("e2e: Node's own multipart reader (undici's formData) reads nothing the WAF did not inspect, or mamori flags the body", () => {
  it('the 400 multipart mutations', async () => {
    const r = rng(11);
    const problems: string[] = [];
    let read = 0;
    let ran = 0;
    for (let i = 0; i < 400; i++) {
      const { ct, body } = multipartCase(r, i);
      const w = wafReads(request({ headers: { 'Content-Type': ct }, body }));
      const node = await undiciReads(ct, body);
      ran++;
      if (w.flagged || !node) continue;
      read++;
      for (const v of node.values) if (v !== '' && !w.values.has(v)) problems.push(`#${i} ${JSON.stringify(ct)} ${JSON.stringify(body)}: undici's value ${JSON.stringify(v)} not inspected`);
      for (const f of node.files) if (f !== '' && !w.files.has(f)) problems.push(`#${i} ${JSON.stringify(ct)} ${JSON.stringify(body)}: undici's upload ${JSON.stringify(f)} not inspected`);
    }
    assert.deepEqual(problems, []);
    assert.equal(ran, 400);
    assert.ok(read > 0, 'some bodies were read by both');
    console.log(`# undici: ${ran} multipart bodies, ${read} read by both undici and the WAF (unflagged) and compared`);
  });
});
