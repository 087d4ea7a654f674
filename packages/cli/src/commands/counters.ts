import { MamoriError, hasFloors, type CounterFloor } from 'mamori';
import { parse } from '../command.js';
import { openRuntime, readConfig } from '../runtime.js';
import { operatorName, remaining, table } from '../render.js';

export const help = `Usage:
  mamori counters floors        [--json]
  mamori counters reset-floors  [--kind KIND[,KIND...]] [--reason TEXT] [--by NAME] [--json]

The login protection, checkout protection and MFA count in a table of fixed
size (store.memory_max_bytes). When a flood of new keys fills it, the counts
that must never read lower (an account's failed logins, a closed account,
wrong one-time codes, failed payments) leave a floor behind: every key of
that kind the table no longer holds reads at least the highest count it had
to drop, until that count would have expired. A large enough flood lifts the
floor of accounts to a challenge, then to a closed account, for accounts the
attacker never touched (docs/login-protection.md).

  floors        lists the live floors: the kind, what every absent key of it
                reads, and until when.
  reset-floors  drops them (all kinds, or those named by --kind, as floors
                lists them) once the attack is over: accounts the table no
                longer holds read 0 again. Recorded as an event, with who
                and why. While a flood still runs, the floor is what keeps
                an attacker's evicted guesses counted: drop it after.

On the SQLite store (the default), the proxy (mamori up) counts: floors shows
what it last wrote (within its counter flush, 100 ms), and a reset reaches it
at its next flush or start. The memory store keeps its counters in the process
that runs it, which this command cannot reach; Redis and PostgreSQL have no
fixed-size table and no floors. Common options: --config FILE.
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      kind: { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string' },
    },
    help,
  );
  const [sub, extra] = positionals;
  if (!sub || !['floors', 'reset-floors'].includes(sub)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected floors or reset-floors\n\n${help}`);
  if (extra !== undefined) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `unexpected argument: ${extra.slice(0, 100)}`);
  if (sub === 'floors' && (values.kind !== undefined || values.reason !== undefined || values.by !== undefined)) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--kind, --reason and --by go with reset-floors');
  }
  const kinds = values.kind === undefined ? undefined : values.kind.split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (kinds !== undefined && (kinds.length === 0 || kinds.some((k) => k.length !== 2))) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--kind takes kinds as `mamori counters floors` lists them: two characters each (lu, lc, cf, ...), separated by commas');
  }
  const config = readConfig(values.config, { existing: true });
  const rt = await openRuntime(config);
  try {
    const store = rt.store;
    if (!hasFloors(store)) {
      throw new MamoriError('MAMORI_ERR_CLI_USAGE', `the ${store.name} store has no floors: only a store with a fixed-size counter table (SQLite, the memory store) keeps them`);
    }
    if (store.name === 'memory') {
      throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'the memory store keeps its counters in the process that runs it (mamori up, or your application): this command cannot see them. There, call store.floors() and store.resetFloors(); or run on SQLite (store.kind: sqlite, the default)');
    }
    const now = rt.guard.clock.now();
    if (sub === 'floors') {
      const list = await store.floors();
      if (values.json) process.stdout.write(`${JSON.stringify(list.map((f) => ({ ...f, expiresAt: new Date(f.expiresAt).toISOString() })), null, 2)}\n`);
      else process.stdout.write(list.length ? render(list, now) : 'No floors: no count that must never read lower has been evicted (or those evicted have expired).\n');
      return 0;
    }
    const before = await store.floors();
    const dropped = await store.resetFloors(kinds);
    const by = operatorName(values.by);
    const reason = (values.reason ?? 'reset by an operator').slice(0, 1000);
    const gone = before.filter((f) => kinds === undefined || kinds.includes(f.kind));
    if (dropped > 0) {
      rt.store.events.append({
        '@timestamp': new Date(now).toISOString(),
        'event.action': 'counter-floors-reset',
        'event.category': 'configuration',
        'event.module': 'counters',
        'event.severity': 30,
        'event.reason': `${dropped} counter floor${dropped === 1 ? '' : 's'} dropped by ${by} (${gone.map((f) => `${f.kind} at ${f.count}`).join(', ').slice(0, 300)}): ${reason.slice(0, 200)}`,
        'mamori.count': dropped,
      });
      await rt.store.events.flush();
    }
    if (values.json) process.stdout.write(`${JSON.stringify({ dropped, kinds: kinds ?? null, floors: gone.map((f) => ({ kind: f.kind, count: f.count })), by, reason }, null, 2)}\n`);
    else if (dropped === 0) process.stdout.write(kinds ? `No live floor of ${kinds.join(', ')}: nothing to drop.\n` : 'No floors: nothing to drop.\n');
    else process.stdout.write(`Dropped ${dropped} floor${dropped === 1 ? '' : 's'} (${gone.map((f) => `${f.kind}: ${f.count}`).join(', ')}) by ${by}. The proxy applies it at its next counter flush.\n`);
    return 0;
  } finally {
    await rt.close();
  }
}

function render(list: CounterFloor[], now: number): string {
  return table(
    ['KIND', 'ABSENT KEYS READ', 'FOR', 'WHAT'],
    list.map((f) => [JSON.stringify(f.kind).slice(1, -1), String(f.count), remaining(f.expiresAt - now), f.label]),
  );
}
