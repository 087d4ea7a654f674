#!/usr/bin/env node
// Findings H10, H15, H16, H17 (README-host.md): hostile indicator feeds. A /0 range and a
// top-level domain (every address, every .com), JSON built to cost memory, a feed that answers
// 200 with nothing (emptying its source), URL indicators spelled around.
// Run: node bench/redteam/host-ioc-feeds.mjs   (a feed server on 127.0.0.1 only)
import { createServer } from 'node:http';
import { host, verdict } from './host-lib.mjs';

const p = host.parseIndicators('0.0.0.0/0\n::/0\n*.com\n198.51.100.0/24\n', 'feed.txt');
verdict('H10 /0 ranges and a top-level domain are refused', p.indicators.length === 1, p.indicators.map((i) => i.value).join(' '));

const dense = `[${'{},'.repeat(2_000_000)}{}]`;
const t = process.cpuUsage();
let err = '';
try {
  host.parseIndicators(dense, 'dense.json', 'stix');
} catch (e) {
  err = e.message;
}
const u = process.cpuUsage(t);
verdict('H15 6 MB of "{}," is refused before JSON.parse', /refused before parsing/.test(err), `${((u.user + u.system) / 1e6).toFixed(2)} s CPU, peak RSS ${(process.resourceUsage().maxRSS / 1024) | 0} MB`);

let body = '198.51.100.7\nevil.example\n';
const server = createServer((_q, res) => res.end(body));
await new Promise((d) => server.listen(0, '127.0.0.1', d));
const s = host.IocStore.open(':memory:');
s.setSource({ name: 'feed', url: `http://127.0.0.1:${server.address().port}/f`, format: 'auto', refreshMs: 60_000 });
await host.refreshSources(s, { now: () => 1, force: true });
body = '';
const r = await host.refreshSources(s, { now: () => 2, force: true });
verdict('H16 an empty 200 does not empty the source', s.matcher(2).matchIp('198.51.100.7').length === 1, `${r[0].status}: ${r[0].error ?? ''}`);
s.close();
server.close();

const b = new host.IocMatcherBuilder();
b.add('url', 'http://site.example/wp-content/x.php', 'f');
const m = b.build();
for (const q of ['http://site.example/wp-content/%78.php', 'http://site.example/wp-content/x.php?', 'http://u@site.example/wp-content/x.php']) {
  verdict(`H17 URL indicator matched as ${q}`, m.matchUrl(q).some((h) => h.kind === 'url'));
}

// Checked and holding: IDN spellings of one name meet on import and lookup.
const idn = new host.IocMatcherBuilder();
idn.add('domain', 'аррӏе.com', 'f'); // Cyrillic homograph of apple.com
idn.add('domain', 'evil.example', 'f');
const mi = idn.build();
for (const q of ['xn--80ak6aa92e.com', 'АРРӀЕ.com', 'evil\u3002example', '\uff45\uff56\uff49\uff4c.example', 'evi\u00adl.example', 'a.evil.example.']) {
  verdict(`IDN lookup ${JSON.stringify(q)} matches`, mi.matchDomain(q).length === 1);
}
