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
import { FORM, phpMissing, phpReads, request } from './harness.js';

// The engine alone (no rules): what its readers put in ARGS and FILES.
const waf = loadWaf({ text: 'SecRuleEngine On\nSecRequestBodyAccess On\n', file: 'bare.conf' });

function wafReads(raw: string): { flagged: string | undefined; values: Set<string>; files: Set<string> } {
  const tx = waf.transaction(parseRawRequest(raw).request!);
  tx.processRequestHeaders();
  tx.processRequestBody();
  const one = (n: string) => tx.vars.get(n)?.entries[0]?.value;
  const flagged = one('REQBODY_ERROR') === '1' ? `REQBODY_ERROR ${one('REQBODY_ERROR_MSG')}` : one('MULTIPART_STRICT_ERROR') === '1' ? 'MULTIPART_STRICT_ERROR' : undefined;
  return { flagged, values: new Set((tx.vars.get('ARGS')?.entries ?? []).map((e) => e.value)), files: new Set((tx.vars.get('FILES')?.entries ?? []).map((e) => e.value)) };
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
