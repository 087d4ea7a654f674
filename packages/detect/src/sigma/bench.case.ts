/**
 * How fast the Sigma engine runs over access-log events:
 *   npx tsc -b && node packages/detect/dist/sigma/bench.case.js [events] [rules]
 * Loads the fixture rules plus `rules` generated web rules shaped like the public
 * web rule sets (contains lists on the query and user agent, endswith on the path,
 * a regular expression every tenth rule, keywords every seventh, a correlation every
 * twentieth), then runs `events` nginx events (one in fifty an attack) through the
 * detector. Prints events per second and per-event microseconds.
 */
import { fileURLToPath } from 'node:url';
import { compileSigmaRules, loadSigmaRules } from './engine.js';
import type { LogEvent } from '../model.js';
import { web } from './events.case.js';

const nEvents = Number(process.argv[2] ?? 200_000);
const nRules = Number(process.argv[3] ?? 200);

function generatedRules(n: number): string[] {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 8 }, (_, k) => `probe${i}x${k}`);
    let det: string;
    if (i % 10 === 0) det = `  sel:\n    cs-uri-query|re: '(?:union|select)[^a-z]{1,20}${i}'\n  condition: sel`;
    else if (i % 7 === 0) det = `  keywords:\n    - '${words[0]}'\n    - '${words[1]}*${words[2]}'\n  condition: keywords`;
    else
      det = `  sel_q:\n    cs-uri-query|contains:\n${words.map((w) => `      - '${w}'`).join('\n')}\n  sel_ua:\n    c-useragent|contains:\n      - 'scanner${i}'\n      - 'bot${i}/'\n  sel_p:\n    cs-uri-stem|endswith:\n      - '/admin${i}.php'\n      - '/x${i}.jsp'\n  filter:\n    sc-status: 404\n  condition: (1 of sel_*) and not filter`;
    docs.push(`title: generated ${i}\nid: gen-${i}\nname: gen_${i}\nlogsource:\n  category: webserver\ndetection:\n${det}\nlevel: medium\n`);
    if (i % 20 === 0) docs.push(`title: burst ${i}\nid: burst-${i}\ncorrelation:\n  type: event_count\n  rules: [gen_${i}]\n  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 10\n  generate: true\n`);
  }
  return docs;
}

const fixtures = loadSigmaRules(fileURLToPath(new URL('../../src/sigma/testdata/rules/', import.meta.url)));
// A file per hundred documents, as a rule folder would have them.
const docs = generatedRules(nRules);
const texts: { file: string; text: string }[] = [];
for (let i = 0; i < docs.length; i += 100) texts.push({ file: `generated-${i / 100}.yml`, text: docs.slice(i, i + 100).join('---\n') });
const t0 = performance.now();
const both = compileSigmaRules(texts, { prefilter: process.env['SIGMA_PREFILTER'] !== '0' });
const loadMs = performance.now() - t0;
if (both.problems.length) throw new Error(JSON.stringify(both.problems.slice(0, 3)));
const det = both.detector;
const fixDet = fixtures.detector;

const paths = ['/', '/products/12', '/static/app.js', '/api/cart', '/login', '/search'];
const uas = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)', 'curl/8.4.0'];
const events: LogEvent[] = [];
for (let i = 0; i < 10_000; i++) {
  const attack = i % 50 === 0;
  events.push(
    web(attack ? '/index.php' : paths[i % paths.length]!, {
      query: attack ? `id=1 union select ${i % nRules}&f=../../etc/passwd` : `page=${i % 7}&sort=price&q=item${i % 100}`,
      ua: attack ? `scanner${i % nRules} sqlmap/1.7` : uas[i % uas.length]!,
      ip: `198.51.${(i >> 8) & 255}.${i & 255}`,
      status: i % 13 === 0 ? 404 : 200,
      time: 1_700_000_000_000 + i * 5,
    }),
  );
}
let alerts = 0;
const start = performance.now();
for (let i = 0; i < nEvents; i++) {
  const e = events[i % events.length]!;
  const timed: LogEvent = { ...e, time: 1_700_000_000_000 + i * 5 };
  alerts += det.onEvent(timed).length + fixDet.onEvent(timed).length;
}
const ms = performance.now() - start;
const rules = both.rules.length + fixtures.rules.length;
console.log(`sigma: ${rules} rules and correlations (compiled in ${loadMs.toFixed(0)} ms), ${nEvents} events in ${ms.toFixed(0)} ms: ${Math.round((nEvents / ms) * 1000)} events/s, ${((ms * 1000) / nEvents).toFixed(1)} us/event, ${alerts} alerts`);
