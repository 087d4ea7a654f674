/**
 * The WAF, micro and macro (issue 11 §5): mamori's engine running OWASP CRS v4.28.0 at paranoia
 * level 1, blocking, against Apache + ModSecurity v2 + the same CRS (bench/peers/apache-modsec.mjs).
 *
 * (a) The engine alone, in process: CPU µs per transaction (all five phases: the request's
 *     headers and body, a 200 `ok` text/plain response's headers and body, logging) for three
 *     benign workloads: a browser's GET, a 1 KB form POST, a 100 KB JSON POST; and the time to load
 *     CRS (parse and compile), first load in the process and the median of later ones.
 * (b) Over HTTP, in the same run: requests per second (autocannon, the same connections) and CPU µs
 *     per request in the proxy process (/proc/<pid>/stat, or the child's own count) through
 *     - Apache + ModSecurity + CRS (the peer),
 *     - `mamori up` with the WAF on (`waf: { crs, paranoia: 1, mode: enforce }` in its YAML; the CLI of
 *       this checkout, or `MAMORI_BIN=path/to/mamori.js`); skipped,
 *       with the reason, while the config refuses that key,
 *     - for reference: mamori's engine in a bare node:http reverse proxy (this script's own shim,
 *       not a product: the engine's cost over HTTP before it is wired into `mamori up`), the same
 *       node:http proxy and Apache without a WAF (so that each WAF's own CPU per request is the
 *       difference), and the upstream alone,
 *     each in front of the same node:http upstream, `Host: localhost` on every request. The ratio
 *     mamori / Apache is per workload; the target (issue 11) is ≥ 3x Apache's requests/s.
 *
 *   node bench/waf.mjs [--duration 8] [--connections 50] [--json-connections 4] [--json-duration 20] [--rounds 2] [--iterations 300] [--only get,form,json] [--skip-http] [--skip-engine]
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crsSetup, loadWaf } from 'mamori/waf';
import { BENCH_DIR, median, num, printTable, stopChild, verdictLine, writeResult } from './lib.mjs';
import { apacheMissing, configLoadMs, freePort, SHARED_CRS, startApacheModsec, startTinyUpstream, versions } from './peers/apache-modsec.mjs';

const { values: opt } = parseArgs({
  strict: process.argv[1] === fileURLToPath(import.meta.url),
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    'json-connections': { type: 'string', default: '4' },
    'json-duration': { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    iterations: { type: 'string', default: '300' },
    only: { type: 'string' },
    'skip-http': { type: 'boolean', default: false },
    'skip-engine': { type: 'boolean', default: false },
    'no-waf': { type: 'boolean', default: false },
    child: { type: 'string' },
    upstream: { type: 'string' },
  },
});
const SQLI_DATA = process.env.MAMORI_LIBINJECTION_DIR ?? '/work/shared/data/libinjection';
const REPO = dirname(BENCH_DIR);
/** The CLI `mamori up` is started from: this checkout's, or another's (`MAMORI_BIN`). */
const MAMORI_BIN = process.env.MAMORI_BIN ?? join(REPO, 'packages/cli/bin/mamori.js');

/**
 * One CRS setting on both sides: the methods a site with a JSON API takes (CRS's default refuses PUT,
 * PATCH and DELETE, rule 911100; a site with such an API sets this, as CRS's setup file says).
 */
export const SETTINGS = ["'tx.allowed_methods=GET HEAD POST OPTIONS PUT PATCH DELETE'"];
/**
 * `--strict`: ModSecurity's recommended refusals of bodies it could not read (its
 * modsecurity.conf-recommended, rules 200002 and 200003; our wording), which CRS does not carry:
 * without them neither engine refuses an XML body whose DOCTYPE declares entities (XXE), since
 * both only flag it as a body error.
 */
export const STRICT = [
  'SecRule REQBODY_ERROR "!@eq 0" "id:200002,phase:2,t:none,log,deny,status:403,msg:\'Request body could not be read\'"',
  'SecRule MULTIPART_STRICT_ERROR "!@eq 0" "id:200003,phase:2,t:none,log,deny,status:403,msg:\'Multipart body not strictly formed\'"',
];
/**
 * Both engines read every value of the 100 KB JSON (4,709 of them): ModSecurity's default
 * SecArgumentsLimit is 1000, and past it ModSecurity 2.9.7 stops reading the body and only flags a
 * body error, which CRS alone does not refuse, so the rest would go through uninspected (measured:
 * 292 ms of CPU per request at 1000, 1,572 ms at 10,000). mamori's engine reads 10,000 when no limit is
 * set; `mamori up` takes `waf.max_arguments`.
 */
export const ARGS_LIMIT = 10_000;
export const BEFORE = [`SecArgumentsLimit ${ARGS_LIMIT}`];
/** The setup both sides run: CRS at paranoia 1, blocking, thresholds 5/4 (CRS's defaults), SETTINGS, BEFORE (and STRICT when asked). */
export const setupText = ({ strict = false } = {}) => crsSetup(SHARED_CRS, { engine: 'On', paranoia: 1, settings: SETTINGS, before: [...BEFORE, ...(strict ? STRICT : [])] });
export const loadCrs = (o = {}) => loadWaf({ text: setupText(o), file: join(SHARED_CRS, 'mamori-bench-setup.conf'), sqliDataDir: SQLI_DATA });

// ---------------------------------------------------------------------------------------------
// The three workloads: benign, as a browser or an API client sends them.
// ---------------------------------------------------------------------------------------------

const BROWSER = {
  'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'Accept-Language': 'en-US,en;q=0.9,ja;q=0.8',
  'Accept-Encoding': 'gzip, deflate, br',
  Referer: 'https://shop.example.com/products?category=shoes',
  Cookie: 'session=7f3c9a2be41d4c0a9e55b1f0c2d8a6e4; theme=dark; consent=analytics:0,ads:0',
};

/** A form of about 1 KB: a checkout's fields (the value lengths are chosen to land near 1,024 bytes). */
function checkoutForm() {
  const f = {
    csrf_token: 'q8Xb2LwZr7Tn4Ud1Ve6Yf3Ki9Mo0Pa5Sj',
    first_name: 'Mary',
    last_name: "O'Connor",
    email: 'mary.oconnor@example.org',
    phone: '+1 (415) 555-0143',
    address_line1: '1234 Market Street, Apt. 5B',
    address_line2: 'Attn: Receiving (leave at front desk)',
    city: 'San Francisco',
    state: 'CA',
    postal_code: '94103',
    country: 'US',
    shipping_method: 'standard',
    gift_wrap: 'on',
    gift_message: 'Happy birthday, Sam! Hope these fit better than the last pair. See you on the 14th - love, Mary & the kids',
    delivery_notes: 'Please ring the bell twice; the dog is friendly. If nobody answers, the neighbours at 5A will take it.',
    coupon: 'WINTER-2026',
    newsletter: 'weekly',
    card_holder: 'MARY A OCONNOR',
    billing_same: '1',
    comments: 'My previous order, a size 8, ran small, so I went for 8.5 instead. Could you check the colour is the navy one from the photo (not the black)? Thanks for the quick shipping last month, and for the handwritten note in the box - it made my day. My sister will order the same model soon.',
    terms: 'accepted',
  };
  return Object.entries(f).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%20/g, '+')}`).join('&');
}

/** About 100 KB of JSON: an order import from a shop's back office (realistic fields, benign). */
function orderImport(targetBytes = 100 * 1024) {
  const firsts = ['Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'Lucas', 'Sofia', 'Mateo', 'Hana', 'Yuto', 'Chloe', 'Arjun', 'Fatima', 'Jonas', 'Ines'];
  const lasts = ['Smith', 'Garcia', 'Müller', 'Tanaka', 'Rossi', 'Nguyen', 'Kowalski', 'Silva', 'Johansson', 'Dubois', 'Okafor', 'Brown'];
  const streets = ['Oak Avenue', 'Maple Street', 'High Street', 'Rue de la Paix', 'Hauptstraße', 'Elm Road', 'Harbour View', 'Station Road'];
  const cities = [['Portland', 'OR', 'US'], ['Leeds', '', 'GB'], ['Lyon', '', 'FR'], ['Munich', 'BY', 'DE'], ['Osaka', '', 'JP'], ['Austin', 'TX', 'US'], ['Porto', '', 'PT']];
  const products = [['SKU-10442', 'Trail running shoe, navy, size 9', 89.95], ['SKU-20318', 'Merino wool socks (3 pack)', 24.5], ['SKU-33107', 'Rain jacket, packable, olive', 129], ['SKU-41880', 'Insulated water bottle 750 ml', 32], ['SKU-52210', 'Canvas tote bag', 18.75], ['SKU-60071', 'Leather belt, brown, 34"', 45]];
  const notes = ['Leave with the concierge if not home.', 'Gift - please do not include the invoice.', 'Customer asked for delivery after 5 pm.', '', 'Second order this month; loyalty discount applied.', 'Fragile: contains a glass bottle.'];
  const orders = [];
  let i = 0;
  let size = 2;
  while (size < targetBytes) {
    const [city, region, country] = cities[i % cities.length];
    const lines = [];
    for (let k = 0; k < 1 + (i % 3); k++) {
      const [sku, title, price] = products[(i + k * 2) % products.length];
      lines.push({ sku, title, quantity: 1 + ((i + k) % 2), unit_price: price, currency: 'USD' });
    }
    const first = firsts[i % firsts.length];
    const last = lasts[(i * 7) % lasts.length];
    const order = {
      id: `ord_${(100000 + i * 37).toString(36)}`,
      created_at: new Date(Date.UTC(2026, 10, 1 + (i % 28), 8 + (i % 12), (i * 13) % 60)).toISOString(),
      status: ['paid', 'shipped', 'delivered', 'refunded'][i % 4],
      customer: { id: 5000 + i, name: `${first} ${last}`, email: `${first.toLowerCase()}.${i}@example.com`, phone: `+1-555-01${String(i % 100).padStart(2, '0')}`, marketing_opt_in: i % 3 === 0 },
      shipping_address: { line1: `${100 + ((i * 17) % 900)} ${streets[i % streets.length]}`, line2: i % 5 === 0 ? `Unit ${1 + (i % 12)}` : null, city, region, postal_code: String(10000 + ((i * 911) % 89999)), country },
      items: lines,
      totals: { subtotal: Math.round(lines.reduce((s, l) => s + l.unit_price * l.quantity, 0) * 100) / 100, shipping: 7.5, tax: 0, discount: i % 6 === 0 ? 5 : 0 },
      note: notes[i % notes.length],
      tags: ['web', i % 2 ? 'returning' : 'new'],
    };
    size += JSON.stringify(order).length + 1;
    orders.push(order);
    i++;
  }
  return JSON.stringify({ source: 'backoffice-export', exported_at: '2026-12-01T09:00:00Z', orders });
}

export const WORKLOADS = {
  get: { label: 'GET (browser, query + cookies)', method: 'GET', path: '/products?category=shoes&sort=price_asc&page=2&size=9', headers: BROWSER, body: '' },
  form: { label: 'POST 1 KB form (checkout)', method: 'POST', path: '/checkout', headers: { ...BROWSER, 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://shop.example.com' }, body: checkoutForm() },
  json: {
    label: 'POST 100 KB JSON (order import)',
    method: 'POST',
    path: '/api/v1/orders/import',
    headers: { 'User-Agent': 'backoffice-sync/2.3 (+https://shop.example.com)', Accept: 'application/json', 'Content-Type': 'application/json', Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzeW5jIn0.c2lnbmF0dXJl' },
    body: orderImport(),
  },
};

/** The request as the engine takes it: a fresh object, body buffer and session cookie per call, as from the wire. */
function wafRequest(wl, n) {
  const headers = [['Host', 'localhost'], ...Object.entries(wl.headers).map(([k, v]) => [k, k === 'Cookie' ? v.replace('session=7f3c', `session=${(n % 65536).toString(16).padStart(4, '0')}`) : `${v}`])];
  const body = wl.body ? Buffer.from(wl.body, 'utf8') : undefined;
  if (body) headers.push(['Content-Length', String(body.length)]);
  return { method: wl.method, uri: wl.path, protocol: 'HTTP/1.1', headers, body, remoteAddr: '127.0.0.1', remotePort: 40000 + (n % 20000), serverAddr: '127.0.0.1', serverPort: 80 };
}

const RESPONSE_HEADERS = [['Content-Type', 'text/plain'], ['Content-Length', '2']];

/** One transaction, all five phases; returns the interruption (undefined when let through). */
export function runTransaction(waf, req) {
  const tx = waf.transaction(req);
  let it = tx.processRequestHeaders() ?? tx.processRequestBody();
  if (!it) {
    it = tx.processResponseHeaders(200, 'HTTP/1.1', RESPONSE_HEADERS);
    if (!it && tx.wantsResponseBody()) it = tx.processResponseBody('ok');
  }
  tx.processLogging();
  return { it, tx };
}

async function engineAlone() {
  const cpuMs = (u) => (u.user + u.system) / 1000;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  let waf = loadCrs();
  const first = { wallMs: performance.now() - w0, cpuMs: cpuMs(process.cpuUsage(c0)) };
  const later = [];
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    const c1 = process.cpuUsage();
    const w1 = performance.now();
    waf = loadCrs();
    later.push({ wallMs: performance.now() - w1, cpuMs: cpuMs(process.cpuUsage(c1)) });
  }
  const load = { firstWallMs: first.wallMs, firstCpuMs: first.cpuMs, laterWallMs: median(later.map((x) => x.wallMs)), laterCpuMs: median(later.map((x) => x.cpuMs)) };
  console.log(`CRS v4.28.0 load in mamori (parse + compile, PL1 blocking): first ${num(load.firstWallMs)} ms wall (${num(load.firstCpuMs)} ms CPU), later loads ${num(load.laterWallMs)} ms wall (median of 3)`);
  if (!apacheMissing()) {
    load.apache = await configLoadMs({ settings: SETTINGS });
    console.log(`the same in Apache + ModSecurity (apache2 -t, median of 3): ${num(load.apache.withCrsMs)} ms with CRS, ${num(load.apache.withoutMs)} ms without: CRS ${num(load.apache.crsMs)} ms`);
  }
  const N = Number(opt.iterations);
  const out = {};
  for (const key of chosen()) {
    const wl = WORKLOADS[key];
    // Warm-up, and a check that the benign workload is let through.
    let n = 0;
    const w0 = performance.now();
    while (n < 3 || (n < N / 5 && performance.now() - w0 < 2000)) {
      const { it, tx } = runTransaction(waf, wafRequest(wl, n++));
      if (it) throw new Error(`${key}: the benign workload was refused (${it.status}) by ${tx.matched.filter((m) => m.logged).map((m) => m.id).join(', ')}`);
      // Read whole: a body error (a limit passed, a parse failure) would leave values unread, unrefused.
      const bodyError = tx.lookup('REQBODY_ERROR', undefined);
      if (bodyError !== undefined && bodyError !== '0') throw new Error(`${key}: the body was not read whole: ${tx.lookup('REQBODY_ERROR_MSG', undefined)}`);
    }
    // Rounds of about 2 s of CPU at most (the 100 KB body costs far more per transaction than the others).
    const each = (performance.now() - w0) / n;
    const count = Math.max(3, Math.min(N, Math.round(2000 / each)));
    const rounds = [];
    for (let r = 0; r < 5; r++) {
      const reqs = Array.from({ length: count }, () => wafRequest(wl, n++));
      globalThis.gc?.();
      const c = process.cpuUsage();
      for (const q of reqs) runTransaction(waf, q);
      rounds.push((cpuMs(process.cpuUsage(c)) * 1000) / count);
    }
    out[key] = { label: wl.label, bodyBytes: Buffer.byteLength(wl.body), transactionsPerRound: count, cpuUsPerTransaction: median(rounds), rounds };
  }
  printTable(['engine alone, CRS PL1 blocking', 'body bytes', 'CPU µs / transaction (median of 5)', 'rounds'], Object.values(out).map((x) => [x.label, num(x.bodyBytes), num(x.cpuUsPerTransaction), x.rounds.map((v) => num(v)).join(' ')]));
  return { load, workloads: out };
}

function chosen() {
  const keys = opt.only ? opt.only.split(',') : Object.keys(WORKLOADS);
  for (const k of keys) if (!WORKLOADS[k]) throw new Error(`--only takes ${Object.keys(WORKLOADS).join(',')}`);
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Child processes: the upstream, and the reference shim (mamori's engine in a node:http proxy).
// ---------------------------------------------------------------------------------------------

async function upstreamChild() {
  const { url } = await startTinyUpstream();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

/**
 * Not a product: mamori's engine in the least node:http reverse proxy (the body read whole, the
 * five phases, the response body read when CRS wants it), to see the engine's cost over HTTP before
 * `mamori up` runs it. 403 when the engine interrupts.
 */
function shimChild(upstream, withWaf) {
  const waf = withWaf ? loadCrs() : undefined;
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 64, scheduling: 'lifo' });
  const deny = (res, status) => {
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': '10' });
    res.end('forbidden\n');
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      if (!waf) {
        // The same proxy with no WAF: the body read whole, forwarded, the answer piped back.
        const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (ures) => {
          res.writeHead(ures.statusCode ?? 502, ures.headers);
          ures.pipe(res);
        });
        up.on('error', () => {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        up.end(body);
        return;
      }
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([Buffer.from(req.rawHeaders[i], 'utf8').toString('latin1'), Buffer.from(req.rawHeaders[i + 1], 'utf8').toString('latin1')]);
      const tx = waf.transaction({ method: req.method, uri: req.url, protocol: `HTTP/${req.httpVersion}`, headers, body, remoteAddr: req.socket.remoteAddress, remotePort: req.socket.remotePort, serverAddr: req.socket.localAddress, serverPort: req.socket.localPort });
      const it = tx.processRequestHeaders() ?? tx.processRequestBody();
      if (it) {
        tx.processLogging();
        return deny(res, it.status ?? 403);
      }
      const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (ures) => {
        const rh = [];
        for (let i = 0; i < ures.rawHeaders.length; i += 2) rh.push([ures.rawHeaders[i], ures.rawHeaders[i + 1]]);
        const it3 = tx.processResponseHeaders(ures.statusCode ?? 502, `HTTP/${ures.httpVersion}`, rh);
        if (it3) {
          ures.resume();
          tx.processLogging();
          return deny(res, it3.status ?? 403);
        }
        const rchunks = [];
        ures.on('data', (c) => rchunks.push(c));
        ures.on('end', () => {
          const rbody = Buffer.concat(rchunks);
          const it4 = tx.wantsResponseBody() ? tx.processResponseBody(rbody.toString('latin1')) : undefined;
          tx.processLogging();
          if (it4) return deny(res, it4.status ?? 403);
          res.writeHead(ures.statusCode ?? 502, ures.headers);
          res.end(rbody);
        });
      });
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`));
}

/** Starts `node waf.mjs --child ...`; resolves with { url, cpu(), stop() }. */
function startChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.setEncoding('utf8');
    const onData = (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({
        url: JSON.parse(buf.slice(0, nl)).url,
        pid: child.pid,
        cpu: async () => procCpu(child.pid),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`child ${args.join(' ')} exited ${code} before listening`)));
  });
}

/** CPU time (µs) of a process from /proc. */
function procCpu(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * (1e6 / 100);
}

/**
 * `mamori up` with the WAF on, from a YAML config of its own (a temp dir; memory store). Resolves
 * with { skipped } when the config refuses the `waf` key (or `up` does not start), else
 * { url, cpu(), stop() }.
 */
export async function startMamoriUp(upstream, { paranoia = 1, mode = 'enforce' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-waf-'));
  const port = await freePort();
  const config = join(dir, 'mamori.yaml');
  // The WAF at the product's defaults (mamori's own rule pack, strict body reading), with two changes
  // that match the peer's setup and keep the accuracy run honest: PUT, PATCH and DELETE are not
  // refused for their method (911100; the peer's tx.allowed_methods), and no source is blocked for
  // its refusals (block_sources.after 0: every request of the corpus comes from 127.0.0.1), no time
  // budget per source (cpu_budget.per_source 0: the load generator is one source, and the budget
  // would answer 429 past 10 s of rule time a minute); and, as on the peer, up to ARGS_LIMIT
  // arguments read.
  writeFileSync(
    config,
    [
      `data_dir: ${dir}/data`,
      'store:',
      '  kind: memory',
      'proxy:',
      `  upstream: ${upstream}`,
      'waf:',
      `  crs: ${SHARED_CRS}`,
      `  paranoia: ${paranoia}`,
      `  mode: ${mode}`,
      `  libinjection: ${SQLI_DATA}`,
      `  max_arguments: ${ARGS_LIMIT}`,
      '  block_sources: { after: 0 }',
      '  cpu_budget: { per_source: 0 }',
      '  exclusions:',
      '    - { name: rest-methods, paths: ["/*"], methods: [PUT, PATCH, DELETE], rules: [911100] }',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, MAMORI_LIBINJECTION_DIR: SQLI_DATA };
  const child = spawn(process.execPath, [MAMORI_BIN, 'up', '--config', config, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const started = await new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), 60_000);
    const check = () => {
      if (/protecting/.test(out)) {
        clearTimeout(t);
        resolve(true);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
  if (!started) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    const why = /unknown key "waf"/.test(err) ? 'mamori up has no WAF config yet (the config refuses the key "waf")' : `mamori up did not start: ${err.trim().split('\n').slice(0, 3).join(' ')}`;
    return { skipped: why };
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    config,
    cpu: async () => procCpu(child.pid),
    stop: () => stopChild(child, dir),
  };
}

async function overHttp() {
  const { default: autocannon } = await import('autocannon');
  const DURATION = Number(opt.duration);
  const CONNECTIONS = Number(opt.connections);
  const JSON_CONNECTIONS = Number(opt['json-connections']);
  const JSON_DURATION = Number(opt['json-duration']);
  const durationFor = (key) => (key === 'json' ? JSON_DURATION : DURATION);
  const ROUNDS = Number(opt.rounds);
  const upstream = await startChild(['--child', 'upstream']);
  const sides = { direct: { label: 'upstream alone', ...upstream } };
  const skipped = {};
  const missing = apacheMissing();
  if (missing) skipped.apache = missing;
  else {
    const ap = await startApacheModsec({ upstream: upstream.url, crs: 'shared', paranoia: 1, settings: SETTINGS, before: BEFORE });
    sides.apache = { label: `Apache + ModSecurity + CRS ${ap.crsVersion}`, ...ap };
    const bare = await startApacheModsec({ upstream: upstream.url, withWaf: false });
    sides.apacheBare = { label: 'Apache, no ModSecurity', ...bare };
  }
  const up = await startMamoriUp(upstream.url);
  if (up.skipped) skipped.mamori = up.skipped;
  else sides.mamori = { label: 'mamori up (WAF on)', ...up };
  const shim = await startChild(['--child', 'shim', '--upstream', upstream.url]);
  sides.shim = { label: 'reference: mamori/waf in a bare node:http proxy', ...shim };
  const nodeBare = await startChild(['--child', 'shim', '--no-waf', '--upstream', upstream.url]);
  sides.nodeBare = { label: 'the same node:http proxy, no WAF', ...nodeBare };
  for (const [k, why] of Object.entries(skipped)) console.log(`skipped ${k}: ${why}`);
  const connectionsFor = (key) => (key === 'json' ? JSON_CONNECTIONS : CONNECTIONS);
  const autocannonOptions = (url, key, duration) => {
    const wl = WORKLOADS[key];
    const headers = { host: 'localhost', ...Object.fromEntries(Object.entries(wl.headers).map(([k, v]) => [k.toLowerCase(), v])) };
    return { url, connections: connectionsFor(key), duration, timeout: 120, requests: [{ method: wl.method, path: wl.path, headers, ...(wl.body ? { body: wl.body } : {}) }] };
  };
  /** Waits until a side has used no CPU for half a second (what it still had queued is done). */
  const quiesce = async (side) => {
    for (let i = 0; i < 240; i++) {
      const c0 = await side.cpu();
      await new Promise((r) => setTimeout(r, 500));
      if ((await side.cpu()) - c0 < 20_000) return;
    }
  };
  const run = (url, key, duration) =>
    new Promise((resolve, reject) => {
      autocannon(autocannonOptions(url, key, duration), (err, r) => (err ? reject(err) : resolve(r)));
    });
  /**
   * One run. Requests/s and CPU per request are read over a window inside the run (from 1 s in to
   * 0.3 s before the end), when the side is in its steady state: answers counted as they arrive, CPU
   * read from /proc at both ends; the work of requests in flight at the window's two ends cancels
   * out on average, where a whole-run count would charge a slow side's backlog to too few answers.
   */
  const measure = async (sideName, key) => {
    const side = sides[sideName];
    let answers = 0;
    const status = {};
    let a;
    let b;
    const duration = durationFor(key);
    const startAt = Math.min(1000, (duration * 1000) / 4);
    const r = await new Promise((resolve, reject) => {
      const inst = autocannon(autocannonOptions(side.url, key, duration), (err, res) => (err ? reject(err) : resolve(res)));
      inst.on('response', (_client, code) => {
        answers++;
        status[code] = (status[code] ?? 0) + 1;
      });
      setTimeout(async () => (a = { cpu: await side.cpu(), n: answers, t: performance.now() }), startAt);
      setTimeout(async () => (b = { cpu: await side.cpu(), n: answers, t: performance.now() }), duration * 1000 - 300);
    });
    await quiesce(side);
    const n = b.n - a.n;
    return { rps: n / ((b.t - a.t) / 1000), cpuUsPerRequest: n > 0 ? (b.cpu - a.cpu) / n : null, answersInWindow: n, autocannonRps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: answers, status, errors: r.errors + r.timeouts };
  };
  const names = Object.keys(sides);
  console.log(`\nover HTTP: autocannon, ${CONNECTIONS} connections and ${DURATION} s per run (${JSON_CONNECTIONS} and ${JSON_DURATION} s for the 100 KB JSON), ${ROUNDS} interleaved rounds, Host: localhost; sides: ${names.join(', ')}`);
  for (const key of chosen()) for (const s of names) {
    await run(sides[s].url, key, 2);
    await quiesce(sides[s]);
  }
  const results = Object.fromEntries(chosen().map((k) => [k, Object.fromEntries(names.map((s) => [s, []]))]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const key of chosen()) {
      const order = names.map((_, i) => names[(i + r) % names.length]);
      for (const side of order) {
        const m = await measure(side, key);
        results[key][side].push(m);
        console.log(`  round ${r + 1} ${key.padEnd(4)} ${side.padEnd(6)} ${num(m.rps, 1)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  ${m.cpuUsPerRequest === null ? '-' : num(m.cpuUsPerRequest)} µs CPU/req (${m.answersInWindow} answers in the window)  status ${JSON.stringify(m.status)}${m.errors ? `  errors ${m.errors}` : ''}`);
      }
    }
  }
  for (const s of Object.values(sides)) await s.stop();
  const out = {};
  const rows = [];
  for (const key of chosen()) {
    const med = (side, f) => (results[key][side] ? median(results[key][side].map(f)) : undefined);
    const o = {};
    for (const s of names) o[s] = { rps: med(s, (x) => x.rps), cpuUsPerRequest: med(s, (x) => x.cpuUsPerRequest), unexpected: results[key][s].reduce((t, x) => t + (x.total - (x.status[200] ?? 0)) + x.errors, 0) };
    const ratio = (s) => (o[s] && o.apache?.rps ? o[s].rps / o.apache.rps : undefined);
    // The WAF's own CPU over HTTP: each proxy's CPU per request less the same proxy's without a WAF.
    const wafCpu = { modsecurity: o.apache && o.apacheBare ? o.apache.cpuUsPerRequest - o.apacheBare.cpuUsPerRequest : undefined, mamoriEngine: o.shim.cpuUsPerRequest - o.nodeBare.cpuUsPerRequest };
    out[key] = { label: WORKLOADS[key].label, sides: o, mamoriVsApache: ratio('mamori'), shimVsApache: ratio('shim'), wafCpuUsPerRequest: wafCpu, rounds: results[key] };
    const f = (s, g) => (o[s] ? g(o[s]) : 'skipped');
    const cell = (x) => `${num(x.rps, x.rps < 100 ? 1 : 0)} / ${num(x.cpuUsPerRequest)}`;
    rows.push([WORKLOADS[key].label, f('apache', cell), f('mamori', cell), f('shim', cell), f('apacheBare', cell), f('nodeBare', cell), f('direct', cell), ratio('mamori') === undefined ? 'n/a' : `${ratio('mamori').toFixed(2)}x`, ratio('shim') === undefined ? 'n/a' : `${ratio('shim').toFixed(2)}x`, wafCpu.modsecurity === undefined ? 'n/a' : `${num(wafCpu.modsecurity)} / ${num(wafCpu.mamoriEngine)}`, names.map((s) => o[s].unexpected).join('/')]);
  }
  console.log();
  printTable(['workload: req/s / CPU µs per req (medians)', 'Apache+ModSec+CRS', 'mamori up (WAF)', 'engine in node proxy (ref.)', 'Apache alone', 'node proxy alone', 'upstream alone', 'mamori/Apache', 'ref./Apache', 'WAF CPU µs: ModSec / mamori engine', `non-200 (${names.join('/')})`], rows);
  console.log();
  for (const key of chosen()) {
    const r = out[key].mamoriVsApache;
    const refused = ['mamori', 'apache'].filter((s) => out[key].sides[s]?.unexpected);
    if (r === undefined) console.log(`target (${key}): mamori up ≥ 3x Apache's req/s -> not measured (${skipped.mamori ?? skipped.apache})`);
    else if (refused.length) console.log(`target (${key}): mamori up ≥ 3x Apache's req/s -> not measured: ${refused.map((s) => `${s} answered ${out[key].sides[s].unexpected} benign requests with another status than 200 (${JSON.stringify(out[key].rounds[s][0].status)})`).join('; ')}`);
    else verdictLine(r >= 3, `${key}: mamori up ≥ 3x Apache + ModSecurity's req/s`, `${r.toFixed(2)}x`);
  }
  return { skipped, results: out, connections: CONNECTIONS, jsonConnections: JSON_CONNECTIONS, duration: DURATION, jsonDuration: JSON_DURATION, rounds: ROUNDS };
}

async function main() {
  if (typeof globalThis.gc !== 'function') {
    // Re-run with --expose-gc (collections between rounds).
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exitCode = await new Promise((r) => child.on('close', (c) => r(c ?? 1)));
    return;
  }
  const v = versions();
  console.log(`waf: mamori (CRS ${v.sharedCrs} at ${SHARED_CRS}, PL1, blocking, thresholds 5/4) against Apache ${v.apache ?? 'absent'} + ModSecurity ${v.modsecurityPackage ?? 'absent'} (Debian ships CRS ${v.debianCrs ?? 'absent'}; the peer loads the shared ${v.sharedCrs} under the same setup text)`);
  const engine = opt['skip-engine'] ? undefined : await engineAlone();
  const overhttp = opt['skip-http'] ? undefined : await overHttp();
  writeResult('waf', {
    command: `node bench/waf.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    versions: v,
    setup: `crsSetup(CRS v4.28.0, { engine: On, paranoia: 1, settings: ${JSON.stringify(SETTINGS)}, before: ${JSON.stringify(BEFORE)} }) on both sides`,
    engine,
    http: overhttp,
    target: { target: 'mamori up >= 3x Apache + ModSecurity requests/s per workload, every benign request answered 200', met: overhttp && Object.values(overhttp.results).every((r) => r.mamoriVsApache !== undefined && r.mamoriVsApache >= 3 && !r.sides.mamori.unexpected && !r.sides.apache.unexpected) },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (opt.child === 'upstream') await upstreamChild();
  else if (opt.child === 'shim') shimChild(opt.upstream, !opt['no-waf']);
  else await main();
}
