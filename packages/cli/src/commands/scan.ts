import { relative, resolve } from 'node:path';
import { MamoriError, isMamoriError } from 'mamori/errors';
import { DEFAULT_SCAN_FILE_TIMEOUT_MS } from 'mamori/internal/defaults';
import { parseDuration } from 'mamori/internal/duration';
import { createScanner, createTimedScanner, FimDb, generationsFileFor, loadIocMatcher, readKey, toSarif, VERDICTS, type FileResult, type Verdict } from '@mamori/host';
import { configFile, defaultDataDir } from '../config-file.js';
import { parse } from '../command.js';
import { table } from '../render.js';
import { reportError } from '../error-line.js';

export const help = `Usage:
  mamori scan [options] PATH...     give each file under PATH a verdict: clean, suspicious or malicious,
                                    with a score (0-100) and the reasons: webshells and backdoors in PHP,
                                    JSP, ASP/ASPX and scripts, code hidden in images, .htaccess tricks
        --format table|jsonl|sarif  output (default table); --json is --format jsonl
        --all                       list clean files too (table and jsonl)
        --rules PATH                a YARA rule file, or a directory of *.yar/*.yara, loaded beside
                                    mamori's own rules (repeat for more); a file that cannot load is
                                    reported with its reason and left out
        --no-builtin                only the rules given with --rules
        --rule-score N              score of a match of a rule without a numeric "score" meta (default 75)
        --max-file-size BYTES       bytes scanned per file (default 16777216); larger files are hashed
                                    whole and scanned in their first part
        --file-timeout DURATION     the longest one file may take (default 10s, or scan.file_timeout in
                                    the config; off: no bound). A file stopped is not passed: it is
                                    suspicious, "scan timed out: not fully checked", and counted
        --no-progress               no progress bar (there is one only when stderr is a terminal)
        --baseline NAME             files as a \`mamori fim\` baseline recorded them (same path, same
                                    SHA-256) are known good: clean, with the reason said; the
                                    baseline's signature is verified first (--key FILE: its key),
                                    and an older copy put back is refused (its generation record:
                                    FILE.generations beside the key)
        --generations FILE          that record elsewhere, as \`mamori fim --generations\` (a key on
                                    read-only media)
        --no-ioc                    do not match file hashes, names and paths against the indicators
                                    of \`mamori ioc\` (data_dir/ioc.db) and mamori's proxyware set
        --config FILE               the mamori.yaml whose data_dir holds fim.db and ioc.db

Symlinks inside PATH are not walked; one to code outside every PATH has its target scanned. Exit status: 0 all clean, 1 something suspicious
(nothing malicious), 2 something malicious, 64 a usage error, 70 the scan could not run.
See docs/scan.md.
`;

/** The exit status for the worst verdict: 0 clean, 1 suspicious, 2 malicious. */
export const EXIT: Readonly<Record<Verdict, number>> = { clean: 0, suspicious: 1, malicious: 2 };
export const EXIT_USAGE = 64;
export const EXIT_FAILED = 70;

export async function run(argv: string[]): Promise<number> {
  try {
    return await scan(argv);
  } catch (err) {
    reportError(err);
    return isMamoriError(err, 'MAMORI_ERR_CLI_USAGE') ? EXIT_USAGE : EXIT_FAILED;
  }
}

async function scan(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      format: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      rules: { type: 'string', multiple: true },
      'no-builtin': { type: 'boolean' },
      'rule-score': { type: 'string' },
      'max-file-size': { type: 'string' },
      'file-timeout': { type: 'string' },
      'no-progress': { type: 'boolean' },
      baseline: { type: 'string' },
      key: { type: 'string' },
      generations: { type: 'string' },
      'no-ioc': { type: 'boolean' },
      config: { type: 'string', short: 'c' },
    },
    help,
  );
  const format = values.json ? 'jsonl' : (values.format ?? 'table');
  if (!['table', 'jsonl', 'sarif'].includes(format)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--format must be table, jsonl or sarif\n\n${help}`);
  if (positionals.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `say what to scan: one or more paths\n\n${help}`);
  const ruleScore = intOption(values['rule-score'], '--rule-score', 0, 100);
  const maxFileBytes = intOption(values['max-file-size'], '--max-file-size', 1, 2 ** 31 - 1);
  if ((values.key !== undefined || values.generations !== undefined) && !values.baseline) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--key and --generations go with --baseline');
  if (values['no-builtin'] && !values.rules?.length) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--no-builtin leaves no rules: give some with --rules');

  // A config file is read only when there is one (and only for its data directory).
  const file = configFile(values.config);
  const config = file ? (await import('../runtime.js')).readConfig(file) : undefined;
  const dataDir = config?.dataDir ?? defaultDataDir();
  const fileTimeoutMs = values['file-timeout'] === undefined ? (config ? config.scan.fileTimeoutMs : DEFAULT_SCAN_FILE_TIMEOUT_MS) : timeoutOption(values['file-timeout']);
  // Known good: what a verified fim baseline recorded (the same path with the same content).
  let knownGood: ((path: string, sha256: string) => boolean) | undefined;
  if (values.baseline) {
    const keyFile = resolve(values.key ?? `${dataDir}/fim.key`);
    const db = FimDb.open(`${dataDir}/fim.db`, { generations: resolve(values.generations ?? generationsFileFor(keyFile)), recordOnLoad: false, onNotice: (m) => process.stderr.write(`notice: ${m}\n`) });
    try {
      const entries = db.load(values.baseline, readKey(keyFile)).entries;
      knownGood = (path, sha256) => entries.get(path)?.sha256 === sha256;
    } finally {
      db.close();
    }
  }
  // Indicators: mamori's proxyware set, and what `mamori ioc` imported, when there is a store.
  const indicators = values['no-ioc'] ? undefined : loadIocMatcher({ dataDir, now: Date.now(), proxyware: true });
  const scannerOptions = { builtinRules: !values['no-builtin'], rules: values.rules?.map((r) => resolve(r)), externalScore: ruleScore, maxFileBytes, ...(knownGood ? { knownGood } : {}), ...(indicators ? { indicators } : {}) };
  // With a time bound, large files are scanned in a child process that is killed when it passes (see createTimedScanner).
  const scanner = fileTimeoutMs === undefined ? createScanner(scannerOptions) : createTimedScanner({ ...scannerOptions, fileTimeoutMs });
  try {
    return await scanWith(scanner, positionals, values, format);
  } finally {
    if ('close' in scanner) scanner.close();
  }
}

async function scanWith(
  scanner: ReturnType<typeof createScanner> | ReturnType<typeof createTimedScanner>,
  positionals: string[],
  values: { all?: boolean; 'no-progress'?: boolean },
  format: string,
): Promise<number> {
  for (const p of scanner.problems) process.stderr.write(`warning: ${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}: rule file left out: ${p.message}\n`);
  if (scanner.rules.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'none of the rule files could be loaded (see the warnings above)');

  const cwd = process.cwd();
  const walked = scanner.walk(positionals.map((p) => resolve(p)));
  const { skipped } = walked;
  // Names that are not valid UTF-8 are read through their bytes (web servers serve them too).
  const files: (string | Buffer)[] = [...walked.files, ...walked.rawFiles];
  // A path that is not there is a mistake, not a clean tree.
  const missing = skipped.filter((x) => x.why === 'no such file or directory');
  if (missing.length > 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no such file or directory: ${missing.map((x) => x.path).join(', ')}`);
  const show = (p: string) => {
    const rel = relative(cwd, p);
    return rel && !rel.startsWith('..') ? rel : p;
  };
  const progress = process.stderr.isTTY && !values['no-progress'] ? bar(files.length) : undefined;
  const counts: Record<Verdict, number> = { clean: 0, suspicious: 0, malicious: 0 };
  let timedOut = 0;
  const listed: FileResult[] = [];
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (const f of files) {
    const r = await scanner.scanFile(f);
    counts[r.verdict]++;
    if (r.findings.some((x) => x.technique === 'scan-timeout' || x.technique === 'scan-aborted')) timedOut++;
    bytes += r.size;
    progress?.tick(bytes);
    if (format === 'jsonl') {
      if (values.all || r.verdict !== 'clean' || r.note) process.stdout.write(`${JSON.stringify({ type: 'file', ...r, path: show(r.path) })}\n`);
    } else if (r.verdict !== 'clean' || (values.all && format === 'table')) listed.push(r);
  }
  progress?.done();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const worst = VERDICTS.filter((v) => counts[v] > 0).pop() ?? 'clean';
  const summary = { files: files.length, bytes, seconds: Math.round(seconds * 1000) / 1000, ...counts, timedOut, skipped: skipped.length, rules: scanner.rules.reduce((a, r) => a + r.rules, 0), ruleProblems: scanner.problems.length };
  if (format === 'jsonl') {
    for (const x of skipped) process.stdout.write(`${JSON.stringify({ type: 'skipped', path: show(x.path), why: x.why })}\n`);
    for (const p of scanner.problems) process.stdout.write(`${JSON.stringify({ type: 'rule-problem', ...p })}\n`);
    process.stdout.write(`${JSON.stringify({ type: 'summary', ...summary, worst })}\n`);
  } else if (format === 'sarif') {
    process.stdout.write(`${JSON.stringify(toSarif(listed, { baseDir: cwd, problems: scanner.problems }), null, 2)}\n`);
  } else {
    const rank = (v: Verdict) => VERDICTS.indexOf(v);
    listed.sort((a, b) => rank(b.verdict) - rank(a.verdict) || b.score - a.score || a.path.localeCompare(b.path));
    if (listed.length > 0) {
      const rows = listed.map((r) => {
        const top = [...r.findings].sort((a, b) => b.score - a.score);
        const first = top[0];
        const reason = first ? `${first.description}${first.line && !first.layers ? ` (line ${first.line})` : ''}${first.layers ? ` [after ${first.layers.join(' → ')}]` : ''}` : (r.note ?? '');
        return [r.verdict.toUpperCase(), r.score, show(r.path), top.length > 1 ? `${reason} (+${top.length - 1} more)` : reason];
      });
      process.stdout.write(table(['VERDICT', 'SCORE', 'FILE', 'REASON'], rows, 100));
    }
    const mb = (bytes / 1e6).toFixed(1);
    process.stdout.write(`Scanned ${files.length} file${files.length === 1 ? '' : 's'} (${mb} MB) in ${seconds.toFixed(1)} s: ${counts.malicious} malicious, ${counts.suspicious} suspicious, ${counts.clean} clean${timedOut ? `; ${timedOut} not fully checked (scan timed out: counted as suspicious)` : ''}${skipped.length ? `; ${skipped.length} skipped (symlinks, special files)` : ''}.\n`);
    if (!values.all && listed.length > 0) process.stdout.write('Each file\'s findings: mamori scan --json PATH\n');
  }
  return EXIT[worst];
}

function timeoutOption(v: string): number | undefined {
  if (v === 'off') return undefined;
  let ms: number;
  try {
    ms = parseDuration(/^\d+$/.test(v) ? Number(v) : v, '--file-timeout');
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--file-timeout takes a duration such as 10s or 500ms, or off: ${(err as Error).message}`, { cause: err });
  }
  if (!(ms > 0)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--file-timeout must be more than 0 (off: no bound)');
  return ms;
}

function intOption(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** A progress bar on stderr, redrawn at most ten times a second. */
function bar(total: number): { tick(bytes: number): void; done(): void } {
  let n = 0;
  let last = 0;
  const draw = (bytes: number) => {
    const width = 30;
    const filled = total ? Math.round((n / total) * width) : width;
    process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${n}/${total} files, ${(bytes / 1e6).toFixed(1)} MB`);
  };
  return {
    tick(bytes) {
      n++;
      const now = Date.now();
      if (now - last >= 100 || n === total) {
        last = now;
        draw(bytes);
      }
    },
    done() {
      if (total > 0) process.stderr.write('\r\x1b[K');
    },
  };
}
