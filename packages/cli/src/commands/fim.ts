import { existsSync, realpathSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventSink } from 'mamori';
import { MamoriError, isMamoriError } from 'mamori/errors';
// fim's own entry point, not the package root: no YARA engine, no IoC code, no mamori engine
// loaded before a check (start-up is most of a fast check's CPU). mamori itself is loaded
// when events are recorded or a config file is read.
import {
  FimDb,
  FimWatcher,
  RuleSet,
  acceptChanges,
  attrValue,
  assertKeyOutside,
  checkBaseline,
  ensureKey,
  fimCheckEvents,
  generationsFileFor,
  initBaseline,
  loadRules,
  readKey,
  type CheckReport,
  type FimEntry,
  type FimEvent,
  type HistoryRecord,
} from '@mamori/host/fim';
import { parse } from '../command.js';
import { configFile, defaultDataDir } from '../config-file.js';
import type { Runtime } from '../runtime.js';
import { operatorName, table } from '../render.js';
import { reportError } from '../error-line.js';

export const help = `Usage: mamori fim <init|check|accept|watch|list|history> [options]

File integrity monitoring: a signed baseline of files (SHA-256, size, type,
mode, owner, group, inode, links, mtime, ctime, symlink target), then checks
against it. docs/fim.md has the details.

  mamori fim init PATH... [--include GLOB]... [--exclude GLOB]...
                  [--attributes R] [--diff] [--hash-sparse]
                  | --rules FILE                               record a baseline
  mamori fim check [--fast | --full] [--json]                   compare with it
  mamori fim accept (--all | PATH...) --reason WHY [--by WHO]   take reviewed changes in
  mamori fim watch [--debounce 500ms] [--every 1h] [--fast]     follow changes as they happen
  mamori fim list | history [--json]                            baselines, and who accepted what

  --name NAME         the baseline (default: default)
  --key FILE          the signing key (default: <data_dir>/fim.key, made by init;
                      refused inside a monitored path). Beside it, FILE.generations
                      records each baseline's generation: an older copy of the
                      baseline put back is refused (exit 3)
  --generations FILE  that record elsewhere (a key on read-only media)
  --db FILE           the baselines (default: <data_dir>/fim.db)
  --attributes EXPR   what is compared: R (all, the default), or AIDE-style sets
                      such as R-m-c, p+u+g+sha256, content, perms
  --diff              keep small text files (64 KiB) so reports show a diff
  --hash-sparse       hash sparse files (over 64 MiB of holes) whole; without it
                      such a file is reported as not hashed on every check, since
                      reading back its holes could hold a check for hours
  --fast              trust size+mtime+ctime+inode and rehash only what they say
                      changed (the default is full: every file rehashed)
  --no-events         do not record events (checks record them in mamori's store)
  --threads N         hashing threads (default 1, the least CPU; up to one per
                      core finishes sooner for a little more CPU)

Exit codes: 0 no changes, 1 changes (or files that could not be checked),
2 usage or another error, 3 the baseline does not match its signature.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  name: { type: 'string' },
  key: { type: 'string' },
  generations: { type: 'string' },
  db: { type: 'string' },
  rules: { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  attributes: { type: 'string' },
  diff: { type: 'boolean' },
  'hash-sparse': { type: 'boolean' },
  force: { type: 'boolean' },
  fast: { type: 'boolean' },
  full: { type: 'boolean' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  reason: { type: 'string' },
  by: { type: 'string' },
  threads: { type: 'string' },
  debounce: { type: 'string' },
  every: { type: 'string' },
  'no-events': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

interface Ctx {
  values: Values;
  positionals: string[];
  db: FimDb;
  dbFile: string;
  keyFile: string;
  /** The generation record (`<key>.generations` unless --generations). */
  genFile: string;
  name: string;
  ignore: Set<string>;
  threads: number | undefined;
  /** Opened on first use: events go to mamori's store and webhooks. */
  sink(): Promise<EventSink | undefined>;
}

/** Records events; a store that cannot be opened is a warning, not a lost report or exit code. */
async function record(c: Ctx, events: readonly FimEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    const sink = await c.sink();
    for (const e of events) sink?.emit(e);
  } catch (err) {
    reportError(err, 'warning: events not recorded: ');
  }
}

const out = (s: string): void => void process.stdout.write(s);

function who(v: Values): string {
  return operatorName(v.by);
}

function both(p: string): string[] {
  const list = [resolve(p)];
  try {
    list.push(realpathSync(p));
  } catch {
    // not there yet
  }
  return list;
}

function entryJson(e: FimEntry): Record<string, unknown> {
  return {
    path: e.path,
    type: e.type,
    size: e.size,
    mode: e.mode.toString(8).padStart(4, '0'),
    uid: e.uid,
    gid: e.gid,
    inode: String(e.ino),
    nlink: e.nlink,
    mtime: attrValue(e, 'mtime'),
    ctime: attrValue(e, 'ctime'),
    sha256: e.sha256,
    target: e.target,
    ...(e.error ? { error: e.error } : {}),
  };
}

export function reportJson(r: CheckReport): Record<string, unknown> {
  return {
    baseline: r.baseline,
    mode: r.mode,
    signature: r.signature,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    scanned: r.scanned,
    hashed: r.hashed,
    hashedBytes: r.hashedBytes,
    summary: { added: r.added.length, removed: r.removed.length, changed: r.changed.length, problems: r.problems.length },
    added: r.added.map(entryJson),
    removed: r.removed.map(entryJson),
    changed: r.changed.map((c) => ({ path: c.path, changes: c.changes, ...(c.diff !== undefined ? { diff: c.diff } : {}) })),
    problems: r.problems,
  };
}

const mb = (n: number): string => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GB` : `${(n / (1 << 20)).toFixed(1)} MB`);

function summaryLine(r: CheckReport): string {
  return `${r.mode} check of "${r.baseline}": ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${r.problems.length} not checked (${r.scanned} paths, ${r.hashed} files hashed, ${mb(r.hashedBytes)}, ${(r.durationMs / 1000).toFixed(1)} s; signature valid)\n`;
}

export function renderReport(r: CheckReport): string {
  let s = summaryLine(r);
  const rows: (string | number)[][] = [
    ...r.added.map((e) => ['added', e.path, e.type]),
    ...r.removed.map((e) => ['removed', e.path, e.type]),
    ...r.changed.map((c) => ['changed', c.path, c.changes.map((x) => x.attr).join(' ')]),
    ...r.problems.map((p) => ['not checked', p.path, p.reason]),
  ];
  if (rows.length) s += `\n${table(['STATUS', 'PATH', 'WHAT'], rows, 120)}`;
  // paths and link targets come from the monitored tree: no control characters reach the terminal
  const clean = (v: string): string => v.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  for (const c of r.changed) {
    s += `\n${clean(c.path)}\n`;
    for (const x of c.changes) s += `  ${x.attr}: ${clean(x.old)} -> ${clean(x.new)}\n`;
    if (c.diff) s += `${c.diff.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
  }
  return s;
}

function exitOf(r: CheckReport): number {
  return r.added.length + r.removed.length + r.changed.length + r.problems.length > 0 ? 1 : 0;
}

async function init(c: Ctx): Promise<number> {
  const v = c.values;
  let rules: RuleSet;
  if (v.rules) {
    if (c.positionals.length || v.include || v.exclude || v.attributes || v.diff || v['hash-sparse']) {
      throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'give paths and --include/--exclude/--attributes/--diff/--hash-sparse, or --rules FILE, not both');
    }
    rules = loadRules(v.rules);
  } else {
    if (c.positionals.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `fim init needs the paths to monitor (or --rules FILE)\n\n${help}`);
    rules = new RuleSet({
      paths: c.positionals.map((p) => ({ path: resolve(p), include: v.include, exclude: v.exclude, attributes: v.attributes, diff: v.diff === true, ...(v['hash-sparse'] ? { hash_sparse: true } : {}) })),
    }, 'the command line');
  }
  if (!v.force && c.db.list().some((b) => b.name === c.name)) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `a baseline named "${c.name}" exists: check it, accept changes into it, or pass --force to record it again`);
  }
  for (const k of [...both(c.keyFile), ...both(c.genFile)]) assertKeyOutside(k, rules);
  const { key, created } = ensureKey(c.keyFile);
  const genFile = c.genFile;
  if (created && existsSync(genFile)) {
    // a record signed with a key that is gone can never verify again: set aside, not deleted
    const aside = `${genFile}.old-${Date.now()}`;
    renameSync(genFile, aside);
    process.stderr.write(`mamori: warning: a new key was made; the generation record signed with the old one is set aside as ${aside}\n`);
  }
  // Recorded again (--force): the history so far goes on, when the old baseline still verifies.
  let history: HistoryRecord[] = [];
  if (c.db.list().some((b) => b.name === c.name)) {
    try {
      history = [...c.db.loadMeta(c.name, key).history];
    } catch (err) {
      process.stderr.write(`mamori: warning: the previous baseline "${c.name}" does not verify (${(err as Error).message.slice(0, 200)}); its history is not carried over\n`);
    }
  }
  const r = await initBaseline(c.db, key, c.name, rules, { who: who(v), why: v.reason, ignore: c.ignore, threads: c.threads, history });
  if (v.json) {
    out(`${JSON.stringify({ baseline: c.name, entries: r.count, hashed: r.hashed, hashedBytes: r.hashedBytes, durationMs: r.durationMs, problems: r.problems, key: c.keyFile, keyCreated: created }, null, 2)}\n`);
  } else {
    out(`baseline "${c.name}": ${r.count} paths, ${r.hashed} files hashed (${mb(r.hashedBytes)}) in ${(r.durationMs / 1000).toFixed(1)} s, signed with ${c.keyFile}${created ? ' (a new key: keep it apart from the monitored files)' : ''}\n`);
    if (r.problems.length) out(`\n${table(['NOT CHECKED', 'WHY'], r.problems.map((p) => [p.path, p.reason]), 120)}`);
  }
  return r.problems.length ? 1 : 0;
}

/** A baseline that does not verify: said loudly, recorded as an event, exit code 3. */
async function tampered(c: Ctx, err: MamoriError): Promise<number> {
  process.stderr.write(`mamori: ${err.code}: ${err.message}\n`);
  const e: FimEvent = {
    '@timestamp': new Date().toISOString(),
    // an older signed baseline put back (H13) has an action of its own
    'event.action': / older than generation \d+ recorded in | is generation \d+ but not the one recorded /.test(err.message) ? 'fim-baseline-rollback' : 'fim-baseline-invalid',
    'event.category': 'file',
    'event.module': 'fim',
    'event.severity': 99,
    'event.reason': err.message,
    'rule.name': c.name,
  };
  if (c.values.json) out(`${JSON.stringify({ baseline: c.name, signature: 'invalid', error: err.message }, null, 2)}\n`);
  await record(c, [e]);
  return 3;
}

async function check(c: Ctx): Promise<number> {
  const v = c.values;
  if (v.fast && v.full) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--fast or --full, not both');
  const key = readKey(c.keyFile);
  let r: CheckReport;
  try {
    r = await checkBaseline(c.db, key, c.name, { mode: v.fast ? 'fast' : 'full', ignore: c.ignore, threads: c.threads });
  } catch (err) {
    if (isMamoriError(err, 'MAMORI_ERR_FIM_SIGNATURE')) return tampered(c, err);
    throw err;
  }
  out(v.json ? `${JSON.stringify(reportJson(r), null, 2)}\n` : renderReport(r));
  await record(c, fimCheckEvents(r, new Date().toISOString()));
  return exitOf(r);
}

async function accept(c: Ctx): Promise<number> {
  const v = c.values;
  if (!v.reason?.trim()) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'fim accept needs --reason WHY (recorded with who accepted what)');
  if (!v.all && c.positionals.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'fim accept takes the paths whose changes to accept, or --all');
  if (v.all && c.positionals.length) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--all or paths, not both');
  const key = readKey(c.keyFile);
  const by = who(v);
  let res;
  try {
    res = await acceptChanges(c.db, key, c.name, { who: by, why: v.reason.slice(0, 1000), paths: v.all ? undefined : c.positionals.map((p) => resolve(p)), ignore: c.ignore, threads: c.threads });
  } catch (err) {
    if (isMamoriError(err, 'MAMORI_ERR_FIM_SIGNATURE')) return tampered(c, err);
    throw err;
  }
  if (v.json) out(`${JSON.stringify({ baseline: c.name, by, reason: v.reason, accepted: res.accepted }, null, 2)}\n`);
  else out(res.accepted.length ? `${res.accepted.length} changes accepted into "${c.name}" by ${by}:\n${res.accepted.map((p) => `  ${p}\n`).join('')}` : 'Nothing to accept: no changes at those paths.\n');
  if (res.accepted.length) {
    await record(c, [
      {
        '@timestamp': new Date().toISOString(),
        'event.action': 'fim-changes-accepted',
        'event.category': 'file',
        'event.module': 'fim',
        'event.severity': 20,
        'event.reason': `${res.accepted.length} changes taken into "${c.name}" by ${by}: ${v.reason.slice(0, 200)}`,
        'rule.name': c.name,
        'mamori.count': res.accepted.length,
      },
    ]);
  }
  return 0;
}

async function watchCmd(c: Ctx): Promise<number> {
  const v = c.values;
  const key = readKey(c.keyFile);
  const sink = await c.sink();
  const { parseDuration } = await import('mamori');
  const debounceMs = v.debounce ? parseDuration(v.debounce, '--debounce') : 500;
  const fullEveryMs = v.every ? parseDuration(v.every, '--every') : 3_600_000;
  let w: FimWatcher;
  try {
    w = await FimWatcher.start({
      db: c.db,
      key,
      name: c.name,
      sink,
      debounceMs,
      fullEveryMs,
      fullMode: v.fast ? 'fast' : 'full',
      ignore: c.ignore,
      threads: c.threads,
      onReport: (r) => out(v.json ? `${JSON.stringify(reportJson(r))}\n` : `${new Date().toISOString()} ${renderReport(r)}`),
      onError: (err) => process.stderr.write(`mamori: fim watch: ${(err as Error).message}\n`),
    });
  } catch (err) {
    if (isMamoriError(err, 'MAMORI_ERR_FIM_SIGNATURE')) return tampered(c, err);
    throw err;
  }
  const { dirs, unwatched } = w.watching;
  process.stderr.write(`mamori: watching "${c.name}": ${dirs} directories${unwatched ? ` (${unwatched} more left to the periodic check)` : ''}, a full check every ${v.every ?? '1h'}; Ctrl-C stops\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await w.close();
  return 0;
}

function list(c: Ctx): number {
  const rows = c.db.list();
  if (c.values.json) out(`${JSON.stringify(rows, null, 2)}\n`);
  else out(rows.length ? table(['NAME', 'PATHS', 'CREATED', 'UPDATED'], rows.map((r) => [r.name, r.count, r.createdAt, r.updatedAt])) : 'No baselines.\n');
  return 0;
}

async function history(c: Ctx): Promise<number> {
  let b;
  try {
    b = c.db.load(c.name, readKey(c.keyFile));
  } catch (err) {
    if (isMamoriError(err, 'MAMORI_ERR_FIM_SIGNATURE')) return tampered(c, err);
    throw err;
  }
  if (c.values.json) out(`${JSON.stringify(b.history, null, 2)}\n`);
  else out(table(['TIME', 'ACTION', 'BY', 'COUNT', 'WHY'], b.history.map((h) => [h.at, h.action, h.who, h.count, h.why]), 100));
  return 0;
}

const SUBCOMMANDS: Record<string, (c: Ctx) => Promise<number> | number> = { init, check, accept, watch: watchCmd, list, history };

export async function run(argv: string[]): Promise<number> {
  let rt: Runtime | undefined;
  let db: FimDb | undefined;
  try {
    const { values, positionals } = parse(argv, OPTIONS, help);
    const [sub, ...rest] = positionals;
    const fn = sub ? SUBCOMMANDS[sub] : undefined;
    if (!fn) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${sub ? `unknown subcommand "${sub.slice(0, 40)}"` : 'a subcommand is needed'}\n\n${help}`);
    // A config file is read (and mamori loaded) only when there is one; else the defaults' data directory.
    const file = configFile(values.config);
    const config = file ? (await import('../runtime.js')).readConfig(file) : undefined;
    const dataDir = config?.dataDir ?? defaultDataDir();
    const dbFile = resolve(values.db ?? join(dataDir, 'fim.db'));
    const keyFile = resolve(values.key ?? join(dataDir, 'fim.key'));
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= 64)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--threads takes 0 to 64');
    const genFile = resolve(values.generations ?? generationsFileFor(keyFile));
    db = FimDb.open(dbFile, { generations: genFile, onNotice: (m) => process.stderr.write(`mamori: notice: ${m}\n`) });
    const ignore = new Set([dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`].flatMap(both));
    let opened: Promise<Runtime> | undefined;
    const ctx: Ctx = {
      values,
      positionals: rest,
      db,
      dbFile,
      keyFile,
      genFile,
      name: values.name ?? 'default',
      ignore,
      threads,
      sink: async () => {
        if (values['no-events']) return undefined;
        opened ??= import('../runtime.js').then((m) => m.openRuntime(config ?? m.readConfig(undefined), { admin: true }));
        rt = await opened;
        return rt.guard.events;
      },
    };
    return await fn(ctx);
  } catch (err) {
    reportError(err);
    return 2;
  } finally {
    db?.close();
    await rt?.close();
  }
}
