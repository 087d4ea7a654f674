/**
 * The log-replay benchmark's peer: fail2ban-regex (Debian's fail2ban) over the same files as
 * mamori, with the filters fail2ban ships for the same attacks:
 *   sshd:   filter.d/sshd.conf (its default mode, `normal`);
 *   access: filter.d/nginx-botsearch.conf (404s on admin and CMS paths) and
 *           filter.d/apache-badbots.conf (attack tools and spam bots by User-Agent): each is a
 *           separate run over the whole file, as two jails each read the log.
 * fail2ban-regex finds the failures a jail would count; it does not ban, so its `alerts` here
 * are the matched lines (a jail's bans would be far fewer), summed over the filters.
 *
 * CPU is the child's, as the kernel counts it (user + system, from GNU time's rusage of the
 * process it waits for), peak RSS the largest of the runs.
 *
 *   import { run } from './peers/fail2ban.mjs';
 *   await run('/tmp/auth.log', 'sshd', {})
 *     -> { tool, version, lines, cpuSeconds, linesPerCpuSecond, alerts, peakRssMiB, note }
 *
 *   node bench/peers/fail2ban.mjs FILE access|sshd     prints the result as JSON
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REGEX = '/usr/bin/fail2ban-regex';
const TIME = '/usr/bin/time';
const FILTERS_DIR = '/etc/fail2ban/filter.d';
export const FILTERS = {
  sshd: ['sshd'],
  access: ['nginx-botsearch', 'apache-badbots'],
};

/** Why the peer cannot run here, or undefined when it can. */
export function missing() {
  if (!existsSync(REGEX)) return `no ${REGEX} (apt-get install -y fail2ban)`;
  if (!existsSync(TIME)) return `no ${TIME} (apt-get install -y time)`;
  return undefined;
}

function version() {
  const r = spawnSync(REGEX, ['-V'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : 'unknown';
}

/** One fail2ban-regex run under GNU time: its summary line and its rusage. */
function runOne(file, filter) {
  return new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-f2b-'));
    const usage = join(dir, 'usage');
    // -r: no DNS; only the summary is wanted, not the lines.
    const args = ['-f', '%U %S %M', '-o', usage, REGEX, '-r', '--print-no-missed', '--print-no-ignored', file, join(FILTERS_DIR, `${filter}.conf`)];
    const child = spawn(TIME, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      // Keep the tail only: the summary comes last.
      out = (out + d).slice(-20_000);
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err = (err + d).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`fail2ban-regex ${filter} exited ${code}: ${err.trim().slice(-500)}`);
        const [user, sys, maxKiB] = readFileSync(usage, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        const m = /Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed/.exec(out);
        if (!m) throw new Error(`fail2ban-regex ${filter}: no summary line in its output`);
        resolve({ filter, cpuSeconds: user + sys, peakRssMiB: maxKiB / 1024, lines: Number(m[1]), matched: Number(m[3]) });
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/**
 * fail2ban-regex over `file` with the filters for `kind` ('access' | 'sshd');
 * `opts.filters` names others (file names in /etc/fail2ban/filter.d without .conf).
 */
export async function run(file, kind, opts = {}) {
  const why = missing();
  if (why) throw new Error(why);
  const filters = opts.filters ?? FILTERS[kind];
  if (!filters) throw new Error(`fail2ban peer: no filters for "${kind}"`);
  const runs = [];
  for (const f of filters) runs.push(await runOne(file, f));
  const cpuSeconds = runs.reduce((n, r) => n + r.cpuSeconds, 0);
  const lines = runs[0].lines;
  return {
    tool: 'fail2ban-regex',
    version: version(),
    lines,
    cpuSeconds,
    linesPerCpuSecond: lines / cpuSeconds,
    alerts: runs.reduce((n, r) => n + r.matched, 0),
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    note: `filters ${runs.map((r) => `${r.filter} (${r.matched} lines matched, ${r.cpuSeconds.toFixed(1)} CPU s)`).join(' + ')}; each a run over the whole file; alerts = lines matched (it does not ban)`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, kind] = process.argv.slice(2);
  if (!file || !kind) {
    console.error('usage: node bench/peers/fail2ban.mjs FILE access|sshd');
    process.exit(2);
  }
  console.log(JSON.stringify(await run(file, kind), null, 2));
}
