// Third pass: HTTP parameter pollution joined by a comma. A parameter given several times reaches
// Express (qs) as an array, and an app that puts `req.query.id` in a string gets the values joined by
// ","; ASP.NET's Request["id"] and Request.Form join them so too. The WAF reads each value apart. A
// SQL injection cut into pieces at comment boundaries: each piece alone is no SQL, the joined text
// (`1/**/UNION/*,*/SELECT/*,*/...`) is. Stacked statements run where the driver allows them (node-postgres'
// simple query without parameters, SQL Server). A FINDING when the pieces reach the upstream; each piece and
// the joined text are also sent alone, as controls. node bench/redteam/waf-proxy3-hpp.mjs
import { CRS3 } from './waf-proxy3-lib.mjs';
import { CRS, startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const enc = encodeURIComponent;
const SPLITS = [
  ['UNION SELECT across comments', ['1/**/UNION/*', '*/SELECT/*', '*/username,password/*', '*/FROM/**/users--']],
  ['UNION SELECT, fewer pieces', ['-1\'/**/UNION/*', '*/SELECT/**/password/*', '*/FROM/**/users#']],
  ['tautology across a comment', ["1'/*", "*/OR/*", "*/'1'='1"]],
  ['stacked query', ['1;/*', '*/DROP/**/TABLE/**/users--']],
  ['UNION SELECT, each keyword in its own piece', ['1/*', '*/UNION/*', '*/SELECT/*', '*/password/*', '*/FROM/*', '*/users']],
  ['boolean blind', ['1/*', '*/AND/*', '*/1=1']],
  ['time-based blind', ['1/*', '*/AND/*', '*/SLEEP(5)']],
  ['stacked DELETE', ['1;/*', '*/DELETE/**/FROM/**/users--']],
  ['stacked UPDATE', ['1;/*', "*/UPDATE/**/users/**/SET/**/role='admin'--"]],
  ['stacked SELECT of passwords', ['1;/*', '*/SELECT/*', '*/password/*', '*/FROM users--']],
  ['stacked pg_sleep', ['1;/*', '*/SELECT/*', '*/pg_sleep(5)--']],
  ['XSS across a comment-like split', ['<svg/onload=alert(1)//', 'x']],
];
const up = await startUpstream();
for (const [name, crs] of [['CRS 4', CRS], ['CRS 3', CRS3]]) {
  for (const pl of [1, 2]) {
    const m = await startMamori(up.url, { waf: { crs, paranoia: pl, block_sources: { after: 0 } } });
    try {
      for (const [label, pieces] of SPLITS) {
        const joined = pieces.join(',');
        const st = async (target) => (await raw(m.port, rawReq({ target }))).statuses[0];
        const split = await st(`/items?${pieces.map((p) => `id=${enc(p)}`).join('&')}`);
        const whole = await st(`/items?id=${enc(joined)}`);
        const alone = [];
        for (const p of pieces) alone.push(await st(`/items?id=${enc(p)}`));
        const gap = split === 200 && whole !== 200;
        report(!gap, `${name} PL${pl}: ${label} sent as ${pieces.length} id= values is refused as the joined value is`, `pieces together ${split}, each alone [${alone.join(',')}], joined "${joined}" ${whole}`);
      }
    } finally {
      await m.stop();
    }
  }
}
await up.close();
console.log(`\n${results.findings} finding(s)`);
