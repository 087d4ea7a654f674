/**
 * The packages as users install them: every workspace package is packed with `npm pack`
 * (its prepack puts in the LICENSE and, for mamori, the JSON Schema), each tarball's file
 * list is checked (LICENSE, README, no tests or build state), and the tarballs, and only
 * they, are installed with npm into fresh apps in a temporary folder:
 *
 * - Express, as CommonJS (`require('mamori')`), through loadMamori('mamori.yaml') on the
 *   default SQLite store;
 * - Fastify, as an ES module, JSON logins, store.kind memory;
 * - Hono, in TypeScript, type-checked strictly (library declarations included) before it
 *   runs, on SqliteStore.open and createGuard;
 * - the CLI: `npx mamori --help`, and `mamori demo` starting, serving the shop through
 *   mamori and keeping its data in ./.mamori.
 *
 * A brute force against each app: five wrong passwords reach the app's login, the sixth
 * is answered 429 by mamori and the app never sees it.
 *
 * The frameworks come from the registry at the versions the repository's lockfile has
 * (`--prefer-offline`: from npm's cache when it holds them). Install scripts are not run:
 * better-sqlite3's native module is taken from the repository's own install when the
 * versions match (building it anew takes minutes and is not what this test is about);
 * otherwise `npm rebuild better-sqlite3` builds it. Skipped, with the reason printed, only
 * where npm cannot run.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** npm's own variables (npm test sets them) are not passed on: the nested npm would take the repository for its project. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function whyNpmCannotRun(): string | undefined {
  const r = spawnSync(NPM, ['--version'], { encoding: 'utf8', env: cleanEnv(), timeout: 60_000 });
  if (r.error) return `npm cannot run here (${r.error.message})`;
  if (r.status !== 0) return `npm --version failed: ${r.stderr.trim()}`;
  return undefined;
}
const skip = whyNpmCannotRun();
if (skip) console.log(`# skipping the packed-packages test: ${skip}`);

/** Runs a command to its end; rejects with its output when it fails. */
function run(cmd: string, args: string[], cwd: string, env = cleanEnv()): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ out, err });
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${code}:\n${out}\n${err}`));
    });
  });
}

/** Starts a long-running command and resolves with the first match of `ready` in its output. */
function start(cmd: string, args: string[], cwd: string, ready: RegExp, env = cleanEnv()): Promise<{ match: RegExpExecArray; child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let all = '';
    const output = () => all;
    const look = (d: Buffer) => {
      all += d;
      const m = ready.exec(all);
      if (m) resolve({ match: m, child, output });
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`${cmd} ${args.join(' ')} exited (${code ?? signal}) before it was ready:\n${all}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}

const PACKAGES = ['mamori', '@mamori/store-sqlite', '@mamori/store-redis', '@mamori/express', '@mamori/fastify', '@mamori/hono', '@mamori/demo-shop', '@mamori/host', '@mamori/vuln', '@mamori/detect', '@mamori/cli'];
/** The only test-suite files a tarball may carry: the suites `mamori/testing` exports. */
const SHIPPED_SUITES = ['dist/core/store.case.js', 'dist/testing/adapter.case.js', 'dist/testing/waf-adapter.case.js'];

const LOGIN_FORM = `logins:
  - path: /login
    username: { form: email }
    password: { form: password }
    failure: { status: [401] }
    success: { status: [302], redirect_contains: /account }
`;

const EXPRESS_APP = `// CommonJS, as many Express apps still are: require() of mamori's ES modules.
const express = require('express');
const { loadMamori } = require('mamori');
const { mamoriExpress } = require('@mamori/express');

(async () => {
  const m = await loadMamori('mamori.yaml');
  let hits = 0;
  const app = express();
  app.use(express.urlencoded({ extended: false }), express.json());
  app.use(mamoriExpress(m.guard));
  app.post('/login', (req, res) => {
    hits++;
    res.status(401).type('text/plain').send('wrong email or password');
  });
  app.get('/hits', (req, res) => res.json({ hits, store: m.store.name }));
  // The config's JSON Schema, through the package's exports.
  app.get('/schema', (req, res) => res.json(require('mamori/schema.json')));
  const server = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
  process.on('SIGTERM', async () => {
    server.close();
    server.closeAllConnections();
    await m.close();
    process.exit(0);
  });
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

const FASTIFY_APP = `import Fastify from 'fastify';
import { loadMamori } from 'mamori';
import { mamoriFastify } from '@mamori/fastify';

const m = await loadMamori('mamori.yaml');
let hits = 0;
const app = Fastify();
await app.register(mamoriFastify, { guard: m.guard });
app.post('/login', async (req, reply) => {
  hits++;
  return reply.code(401).type('text/plain').send('wrong email or password');
});
app.get('/hits', async () => ({ hits, store: m.store.name }));
await app.listen({ port: 0, host: '127.0.0.1' });
console.log('listening on http://127.0.0.1:' + app.server.address().port);
process.on('SIGTERM', async () => {
  await app.close();
  await m.close();
  process.exit(0);
});
`;

const HONO_APP = `import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createGuard, loadConfig, type MamoriConfig } from 'mamori';
import { SqliteStore, type SqliteStoreOptions } from '@mamori/store-sqlite';
import { mamoriHono } from '@mamori/hono';

const config: MamoriConfig = loadConfig('mamori.yaml');
const secret = process.env['MAMORI_SECRET'];
if (!secret) throw new Error('MAMORI_SECRET is not set');
const options: SqliteStoreOptions = { path: 'mamori.db', secret };
const store = SqliteStore.open(options);
const guard = createGuard(config, { store, secret: Buffer.from(secret) });
let hits = 0;
const app = new Hono();
app.use(mamoriHono(guard));
app.post('/login', (c) => {
  hits++;
  return c.text('wrong email or password', 401);
});
app.get('/hits', (c) => c.json({ hits, store: store.name }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  console.log(\`listening on http://127.0.0.1:\${info.port}\`);
});
process.on('SIGTERM', () => {
  server.close();
  void guard.close().then(() => store.close()).then(() => process.exit(0));
});
`;

const HONO_TSCONFIG = JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      // What a user's strict build sees: the packages' declarations are checked too.
      skipLibCheck: false,
      types: ['node'],
      outDir: 'out',
    },
    files: ['app.ts'],
  },
  null,
  2,
);

describe('the packages as users install them', { skip }, () => {
  let work = '';
  const packed = new Map<string, Packed>();
  const tarball = (name: string): string => `file:${join(work, 'packs', packed.get(name)!.filename)}`;
  const BS3 = 'better-sqlite3';

  /** A fresh app: package.json with these dependencies (ours from the tarballs only), npm install, the native module. */
  async function install(name: string, ours: string[], theirs: Record<string, string>, extra: Record<string, unknown> = {}): Promise<string> {
    const dir = join(work, name);
    mkdirSync(dir);
    const dependencies: Record<string, string> = { ...theirs };
    const overrides: Record<string, string> = {};
    for (const p of ours) {
      dependencies[p] = tarball(p);
      // The packages' dependencies on each other ("mamori": "0.1.0") are met by the tarballs too.
      overrides[p] = `$${p}`;
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, dependencies, overrides, ...extra }, null, 2));
    await run(NPM, ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    const ownBs3 = join(ROOT, 'node_modules', BS3);
    const appBs3 = join(dir, 'node_modules', BS3);
    if (existsSync(appBs3)) {
      const binary = join('build', 'Release', 'better_sqlite3.node');
      const same = JSON.parse(readFileSync(join(appBs3, 'package.json'), 'utf8')).version === installedVersion(BS3);
      if (same && existsSync(join(ownBs3, binary))) {
        mkdirSync(join(appBs3, 'build', 'Release'), { recursive: true });
        copyFileSync(join(ownBs3, binary), join(appBs3, binary));
      } else {
        await run(NPM, ['rebuild', BS3], dir);
      }
    }
    return dir;
  }

  /** Ours in the app are the tarballs' contents, not anything else of the same name. */
  function assertFromTarballs(dir: string, ours: string[]): void {
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string; link?: boolean }> };
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = path.replace(/^.*node_modules\//, '');
      if (!PACKAGES.includes(name)) continue;
      assert.equal(path, `node_modules/${name}`, `${name} is installed once, at the top (${path})`);
      assert.ok(entry.resolved?.startsWith('file:') && entry.resolved.endsWith('.tgz'), `${name} comes from its tarball, not ${entry.resolved}`);
    }
    for (const p of ours) assert.ok(lock.packages[`node_modules/${p}`], `${p} is installed`);
  }

  /** Five wrong passwords reach the app; the sixth gets mamori's 429 and does not. */
  async function bruteForce(url: string, json: boolean): Promise<void> {
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const res = await fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
        body: json ? JSON.stringify({ email: 'alice@example.com', password: `guess-${i}` }) : `email=alice%40example.com&password=guess-${i}`,
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const hits = (await (await fetch(`${url}/hits`)).json()) as { hits: number };
    assert.equal(hits.hits, 5, 'the sixth attempt never reached the app');
  }

  async function withApp(dir: string, args: string[], body: (url: string) => Promise<void>, env?: NodeJS.ProcessEnv): Promise<void> {
    const app = await start(process.execPath, args, dir, /listening on (http:\/\/127\.0\.0\.1:\d+)/, env);
    try {
      await body(app.match[1]!);
    } finally {
      assert.equal(await stop(app.child), 0, `the app stops cleanly:\n${app.output()}`);
    }
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mamori-packed-'));
    mkdirSync(join(work, 'packs'));
    const { out } = await run(NPM, ['pack', '--workspaces', '--json', '--loglevel=error', '--pack-destination', join(work, 'packs')], ROOT);
    // (The JSON follows whatever the prepack scripts print.)
    for (const p of JSON.parse(out.slice(out.indexOf('['))) as Packed[]) packed.set(p.name, p);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs every package with its LICENSE and README, without tests or build state', () => {
    assert.deepEqual([...packed.keys()].sort(), [...PACKAGES].sort());
    for (const [name, p] of packed) {
      const files = p.files.map((f) => f.path);
      for (const f of ['LICENSE', 'README.md', 'package.json']) assert.ok(files.includes(f), `${name} has ${f}`);
      const tests = files.filter((f) => /\.(test|case)\.|test-harness|test-support|testdata\//.test(f) && !SHIPPED_SUITES.some((s) => f.startsWith(s.replace(/\.js$/, '.'))));
      assert.deepEqual(tests, [], `${name} ships no tests`);
      assert.deepEqual(files.filter((f) => f.includes('tsbuildinfo')), [], `${name} ships no build state`);
    }
    const mamori = packed.get('mamori')!.files.map((f) => f.path);
    for (const f of ['schema.json', ...SHIPPED_SUITES]) assert.ok(mamori.includes(f), `mamori has ${f}`);
    assert.ok(packed.get('@mamori/cli')!.files.some((f) => f.path === 'config/demo.yaml'), 'the CLI has its demo config');
  });

  it('Express (CommonJS, loadMamori, SQLite): a brute force is stopped at the sixth attempt', async () => {
    const ours = ['mamori', '@mamori/express', '@mamori/store-sqlite'];
    const dir = await install('express-app', ours, { express: installedVersion('express') });
    assertFromTarballs(dir, ours);
    assert.equal(readFileSync(join(dir, 'node_modules', 'mamori', 'LICENSE'), 'utf8'), readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
    writeFileSync(join(dir, 'mamori.yaml'), LOGIN_FORM);
    writeFileSync(join(dir, 'app.cjs'), EXPRESS_APP);
    await withApp(dir, ['app.cjs'], async (url) => {
      await bruteForce(url, false);
      const schema = (await (await fetch(`${url}/schema`)).json()) as unknown;
      assert.deepEqual(schema, JSON.parse(readFileSync(join(ROOT, 'schema', 'mamori.schema.json'), 'utf8')), 'mamori/schema.json is the config schema');
    });
    assert.ok(existsSync(join(dir, '.mamori', 'mamori.db')), 'the SQLite store is in data_dir');
  });

  it('Fastify (ES module, JSON logins, memory store): a brute force is stopped at the sixth attempt', async () => {
    const ours = ['mamori', '@mamori/fastify'];
    const dir = await install('fastify-app', ours, { fastify: installedVersion('fastify') }, { type: 'module' });
    assertFromTarballs(dir, ours);
    writeFileSync(join(dir, 'mamori.yaml'), `store: { kind: memory }\n${LOGIN_FORM.replace(/form: (email|password)/g, 'json: $1')}`);
    writeFileSync(join(dir, 'app.mjs'), FASTIFY_APP);
    await withApp(dir, ['app.mjs'], (url) => bruteForce(url, true));
  });

  it('Hono (TypeScript, strictly type-checked, SqliteStore.open): a brute force is stopped at the sixth attempt', async () => {
    const ours = ['mamori', '@mamori/hono', '@mamori/store-sqlite'];
    const dir = await install(
      'hono-app',
      ours,
      { hono: installedVersion('hono'), '@hono/node-server': installedVersion('@hono/node-server'), '@types/node': installedVersion('@types/node') },
      { type: 'module' },
    );
    assertFromTarballs(dir, ours);
    writeFileSync(join(dir, 'mamori.yaml'), LOGIN_FORM);
    writeFileSync(join(dir, 'app.ts'), HONO_APP);
    writeFileSync(join(dir, 'tsconfig.json'), HONO_TSCONFIG);
    // The repository's compiler; everything it checks against comes from the app's node_modules.
    await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir);
    await withApp(dir, [join('out', 'app.js')], (url) => bruteForce(url, false), cleanEnv({ MAMORI_SECRET: 'packed-install-test-secret-0123456789abcdef' }));
  });

  it('the CLI: npx mamori --help, and mamori demo starts with its data in ./.mamori', async () => {
    const ours = ['@mamori/cli', 'mamori', '@mamori/store-sqlite', '@mamori/demo-shop', '@mamori/host', '@mamori/store-redis', '@mamori/vuln', '@mamori/detect'];
    const dir = await install('cli-app', ours, {});
    assertFromTarballs(dir, ours);
    const help = await run(NPM, ['exec', '--offline', '--', 'mamori', '--help'], dir);
    assert.match(help.out, /Usage: mamori <command>/);
    const demo = await start(process.execPath, [join(dir, 'node_modules', '.bin', 'mamori'), 'demo', '--port', '0'], dir, /Shop through mamori:\s+(http:\/\/127\.0\.0\.1:\d+)\//);
    try {
      const shop = await fetch(`${demo.match[1]}/`);
      assert.equal(shop.status, 200, 'the shop answers through mamori');
      await shop.arrayBuffer();
      assert.ok(existsSync(join(dir, '.mamori', 'mamori.db')), `the demo's data is in ./.mamori:\n${demo.output()}`);
    } finally {
      assert.equal(await stop(demo.child, 'SIGINT'), 0, `mamori demo stops cleanly:\n${demo.output()}`);
    }
  });
});
