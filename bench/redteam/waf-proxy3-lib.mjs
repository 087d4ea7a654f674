// Shared code of the third red-team pass (CRS 3): the five CRS 3.3.4 patterns that need backtracking,
// compiled as mamori compiles them, and pcre2test (dotall, dollar_endonly: ModSecurity's options) to
// compare with. Reuses waf-proxy-lib.mjs for the proxy harness.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './waf-proxy-lib.mjs';

export const CRS3 = process.env.CRS3_DIR ?? '/usr/share/modsecurity-crs';
const dist = (p) => join(ROOT, 'packages', 'mamori', 'dist', p);
const { crsRxPatterns } = await import(dist('waf/crs-patterns.js'));
const { compilePattern } = await import(dist('waf/regex.js'));

/** The CRS 3 patterns that need backtracking: { id, negated, source, re (mamori's defaults), big (a 1e9-step budget) }. */
export function backtrackingPatterns(dir = CRS3) {
  return crsRxPatterns(dir)
    .map((p) => ({ ...p, re: compilePattern(p.source, { backtracking: true }) }))
    .filter((p) => p.re.needsBacktracking)
    .map((p) => ({ ...p, big: compilePattern(p.source, { backtracking: true, steps: { base: 1e9, perChar: 0 } }) }));
}

/** Runs one pattern of mamori's on `s` with a transaction budget; { matched, steps, ms, overrun }. */
export function measure(re, s, left = 10_000_000) {
  const shared = { left };
  const t0 = performance.now();
  const matched = re.test(s, shared);
  const ms = performance.now() - t0;
  return { matched, steps: left - shared.left, ms, overrun: (shared.overruns ?? 0) > 0 };
}

function hex(s) {
  let out = '';
  for (let i = 0; i < s.length; i++) out += `${s.charCodeAt(i).toString(16).padStart(2, '0')} `;
  return out.trim();
}
function subjectLine(s) {
  let out = '    ';
  for (let i = 0; i < s.length; i++) out += /[A-Za-z0-9]/.test(s[i]) ? s[i] : `\\x${s.charCodeAt(i).toString(16).padStart(2, '0')}`;
  return out;
}

/**
 * What PCRE2 says of each subject for `source`: 'match', 'no match' or 'limit' (its match limit,
 * `matchLimit` when given: ModSecurity 2's default SecPcreMatchLimit is 1000).
 */
export function pcre2(source, subjects, { matchLimit } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'mamori-rt3-pcre2-'));
  try {
    const tail = matchLimit ? `\\=match_limit=${matchLimit}` : '';
    const text = `/${hex(source)}/hex,dotall,dollar_endonly\n${subjects.map((s) => subjectLine(s) + tail).join('\n')}\n\n`;
    const file = join(tmp, 'in.txt');
    writeFileSync(file, text, 'latin1');
    const r = spawnSync('pcre2test', ['-q', file], { maxBuffer: 512 * 1024 * 1024 });
    const lines = r.stdout.toString('latin1').split('\n');
    const out = [];
    let i = 1; // the pattern's echo
    for (let k = 0; k < subjects.length; k++) {
      i++; // the subject's echo
      const res = lines[i++] ?? '';
      if (res === 'No match') out.push('no match');
      else if (/^Failed: error -4[67]|^Failed: error -5[23]/.test(res)) out.push('limit');
      else if (res.startsWith(' 0: ')) {
        out.push('match');
        while (i < lines.length && /^ *\d+: /.test(lines[i])) i++;
      } else out.push(`odd: ${res}`);
    }
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A seeded generator (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** CPU time (user + system, ms) of a process, from /proc (clock ticks of 10 ms). */
export function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(parts[11]) + Number(parts[12])) * 10;
}
