import { MamoriError, SIM_DEMO_USER, SIM_SCENARIOS, isMamoriError, parseDuration, runSimulation, type SimOptions, type SimReport, type SimTally } from 'mamori';
import { parse } from '../command.js';
import { table } from '../render.js';

const scenarioLines = SIM_SCENARIOS.values()
  .map((s) => `  ${s.name.padEnd(12)}  ${s.summary} (default ${s.defaultAttempts} attempts)`)
  .join('\n');

export const help = `Usage: mamori simulate <scenario> --target URL [options]

Runs a scripted login attack against a site you own, while a real user
(alice@example.com, the demo shop's customer) signs in before, during and
after it with her own browser: she keeps her trusted-device cookie and solves
any challenge. Reports what mamori allowed, challenged and blocked for each.

Scenarios:
${scenarioLines}
  card-testing  enumerate card numbers at the checkout while customers pay
                (its own options: mamori simulate card-testing --help)

Options:
  --target URL           the site to attack (required). Only this machine
                         (127.0.0.0/8, ::1, localhost) unless --i-own-the-target.
  --attempts N           attacker login attempts (1 to 10000)
  --concurrency N        attacker requests in flight at once (default 4, at most 64)
  --rate N               attacker attempts per second at most (default: no limit)
  --user-every N         the real user signs in after every N attacker attempts
                         (default 25; 0 = only before and after the attack)
  --user EMAIL           the real user (default ${SIM_DEMO_USER.username}); her password
                         is read from MAMORI_SIM_PASSWORD when set
  --solve                attackers solve proof-of-work challenges as a bot
                         would (natively, in no time): what is left is the
                         account-wide bound (also --attackers-solve)
  --max-time 5m          stop starting attempts after this long
  --json                 print the report as JSON
  --i-own-the-target     allow a target off this machine: only a site you own

Sources are documentation addresses (198.51.100.0/24, 203.0.113.0/24,
2001:db8::/32) sent as X-Forwarded-For, which only the demo config believes
(demo.trust_loopback_forwarded_for). Exit code 2 when the target is refused.

Example (with \`npm start\` running):
  npx mamori simulate brute-force --target http://127.0.0.1:8080
`;

export async function helpFor(argv: string[]): Promise<string> {
  return argv[0] === 'card-testing' ? (await import('./simulate-card-testing.js')).help : help;
}

function count(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,6}$/.test(v)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${what} must be a whole number, not "${v.slice(0, 20)}"\n\n${help}`);
  return Number(v);
}

export async function run(argv: string[]): Promise<number> {
  // Card testing attacks a checkout, not a login: its own options and report.
  if (argv[0] === 'card-testing') return (await import('./simulate-card-testing.js')).run(argv.slice(1));
  const { values, positionals } = parse(
    argv,
    {
      target: { type: 'string' },
      attempts: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'user-every': { type: 'string' },
      user: { type: 'string' },
      'attackers-solve': { type: 'boolean' },
      solve: { type: 'boolean' },
      'max-time': { type: 'string' },
      json: { type: 'boolean' },
      'i-own-the-target': { type: 'boolean' },
    },
    help,
  );
  const [name, extra] = positionals;
  if (!name || !SIM_SCENARIOS.has(name)) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${name ? `unknown scenario "${name.slice(0, 40)}"` : 'say which scenario to run'}; choose one of ${SIM_SCENARIOS.names().join(', ')}\n\n${help}`);
  }
  if (extra !== undefined) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `unexpected argument "${extra.slice(0, 40)}"\n\n${help}`);
  if (!values.target) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--target is required (for the demo: --target http://127.0.0.1:8080)\n\n${help}`);
  let rate: number | undefined;
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (!/^\d+(\.\d+)?$/.test(values.rate) || !(rate > 0)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--rate must be a positive number of attempts per second\n\n${help}`);
  }
  const password = process.env['MAMORI_SIM_PASSWORD'];
  if (values.user && !password && values.user !== SIM_DEMO_USER.username) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `set MAMORI_SIM_PASSWORD to the password of ${values.user.slice(0, 80)}\n\n${help}`);
  }
  const progress = !values.json && process.stderr.isTTY === true;
  const opts: SimOptions = {
    target: values.target,
    iOwnTheTarget: values['i-own-the-target'] === true,
    attempts: count(values.attempts, '--attempts'),
    concurrency: count(values.concurrency, '--concurrency'),
    userEvery: count(values['user-every'], '--user-every'),
    rate,
    attackersSolve: values['attackers-solve'] === true || values.solve === true,
    maxDurationMs: values['max-time'] !== undefined ? parseDuration(values['max-time'], '--max-time') : undefined,
    user: values.user || password ? { username: values.user ?? SIM_DEMO_USER.username, password: password ?? SIM_DEMO_USER.password } : undefined,
    onProgress: progress ? (done, total) => process.stderr.write(`\r  attacker attempts: ${done}/${total}`) : undefined,
  };
  let report: SimReport;
  try {
    report = await runSimulation(name, opts);
  } catch (err) {
    if (isMamoriError(err, 'MAMORI_ERR_SIM_TARGET')) {
      process.stderr.write(`mamori: ${err.code}: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    if (progress) process.stderr.write('\r\x1b[K');
  }
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : render(report, opts.user?.username ?? SIM_DEMO_USER.username));
  return 0;
}

function row(who: string, t: SimTally): (string | number)[] {
  return [who, t.attempts, t.allowed, t.challenged, t.solved, t.blocked, t.succeeded, t.errors];
}

export function render(r: SimReport, username: string): string {
  const out: string[] = [];
  out.push(`Simulated ${r.scenario} against ${r.target}\n\n`);
  out.push(table(['', 'LOGINS', 'ALLOWED', 'CHALLENGED', 'SOLVED', 'BLOCKED', 'SUCCEEDED', 'ERRORS'], [row('attacker', r.attacker), row(`real user (${username})`, r.user)]));
  out.push('\n');
  if (r.attackerSuccesses.length === 0) out.push('Attacker logins that succeeded: none.\n');
  else {
    out.push(`Attacker logins that succeeded: ${r.attacker.succeeded}. The attack got through.\n`);
    for (const s of r.attackerSuccesses.slice(0, 10)) out.push(`  attempt ${s.attempt}: ${s.username} from ${s.ip}\n`);
  }
  if (r.mostGuessedAccount) {
    out.push(`Most guesses on one account that reached the site: ${r.mostGuessedAccount.reached} (${r.mostGuessedAccount.username}).\n`);
    out.push(
      '  Whatever the attacker solves, mamori bounds this per account: login_protection.user.close_after\n  (default 50) closes the account to untrusted devices for close_for (default 1 h), and 100 in\n  its window (default 24 h) close it for the rest of the window.\n',
    );
  }
  out.push(`Real user's successful logins: ${r.user.succeeded} of ${r.user.attempts}.\n`);
  out.push(`Requests sent: ${r.requests} in ${(r.elapsedMs / 1000).toFixed(1)} s.\n`);
  if (r.stoppedEarly === 'time') out.push(`Stopped at the time limit after ${r.attacker.attempts} attacker attempts.\n`);
  if (r.attacker.errors + r.user.errors > 0) out.push('Some requests got no usable answer (refused connection, timeout or 5xx): is the target running?\n');
  if (r.user.succeeded < r.user.attempts) out.push('The real user did not always get in: check her password (MAMORI_SIM_PASSWORD) and the site.\n');
  if (r.attacker.challenged + r.attacker.blocked === 0 && r.attacker.attempts > 0) {
    out.push('Nothing was challenged or blocked: is mamori in front of the target, and does it trust X-Forwarded-For from here (demo.trust_loopback_forwarded_for)?\n');
  }
  return out.join('');
}
