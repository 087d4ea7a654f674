import { MamoriError, hasFloors, type CounterFloor } from 'mamori';
import { parse } from '../command.js';
import { openRuntime, readConfig } from '../runtime.js';
import { operatorName, printable, remaining, table } from '../render.js';

export const help = `Usage:
  mamori counters floors        [--json]
  mamori counters reset-floors  (--kind KIND[,KIND...] | --all) [--reason TEXT] [--by NAME] [--json]

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
  reset-floors  drops them once the attack is over, for the kinds named
                (as floors lists them: lu, lc, cf, ...) or --all. Every count
                of those kinds starts over too: those made during the flood
                started from the floor and cannot be told apart. Recorded as
                an event (counter-floors-reset), with who and why. While a
                flood still runs, the floor is what keeps an attacker's
                evicted guesses counted: drop it after.

On the SQLite store (the default), the proxy (mamori up) counts: floors shows
what it last wrote, and a reset reaches it at its next counter flush (100 ms)
or its next start; until then floors marks the kind "reset asked". The memory
store keeps its counters in the process that runs it, which this command
cannot reach; Redis and PostgreSQL have no fixed-size table and no floors.
Common options: --config FILE.
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      kind: { type: 'string' },
      all: { type: 'boolean' },
      reason: { type: 'string' },
      by: { type: 'string' },
    },
    help,
  );
  const [sub, extra] = positionals;
  if (!sub || !['floors', 'reset-floors'].includes(sub)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected floors or reset-floors\n\n${help}`);
  if (extra !== undefined) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `unexpected argument: ${printable(extra, 100)}`);
  if (sub === 'floors' && (values.kind !== undefined || values.all !== undefined || values.reason !== undefined || values.by !== undefined)) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--kind, --all, --reason and --by go with reset-floors');
  }
  if (sub === 'reset-floors' && (values.kind === undefined) === (values.all !== true)) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'say which floors to drop: --kind KIND[,KIND...] (as `mamori counters floors` lists them) or --all');
  }
  const kinds = values.kind === undefined ? undefined : values.kind.split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (kinds !== undefined && (kinds.length === 0 || kinds.length > 64 || kinds.some((k) => k.length !== 2 || /[\u0000-\u001f\u007f]/.test(k)))) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--kind takes kinds as `mamori counters floors` lists them: two printable characters each (lu, lc, cf, ...), separated by commas');
  }
  const config = readConfig(values.config, { existing: true });
  const rt = await openRuntime(config, { admin: true });
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
    const before = await store.floors().catch(() => undefined);
    const asked = await store.resetFloors(kinds);
    const by = operatorName(values.by);
    const reason = printable(values.reason ?? 'dropped by an operator after a flood', 500);
    const gone = (before ?? []).filter((f) => kinds === undefined || kinds.includes(f.kind));
    const what = kinds === undefined ? 'every kind' : kinds.join(', ');
    rt.guard.events.emit({
      '@timestamp': new Date(now).toISOString(),
      'event.action': 'counter-floors-reset',
      'event.category': 'configuration',
      'event.module': 'counters',
      'event.severity': 30,
      'event.reason': `counter floors of ${printable(what, 200)} dropped by ${by}${before === undefined ? ' (the floors written could not be read)' : gone.length ? ` (${gone.map((f) => `${printable(f.kind, 8)} at ${f.count}`).join(', ')})` : ' (none stood)'}: ${reason}`,
      'mamori.count': asked,
    });
    if (values.json) process.stdout.write(`${JSON.stringify({ asked, kinds: kinds ?? null, floors: gone.map((f) => ({ kind: f.kind, count: f.count })), by, reason }, null, 2)}\n`);
    else {
      const stood = gone.length ? `${gone.map((f) => `${printable(f.kind, 8)}: ${f.count}`).join(', ')}` : before === undefined ? 'the floors the proxy wrote could not be read' : 'no floor of them stood';
      process.stdout.write(`Reset of the floors of ${printable(what, 200)} asked by ${by} (${stood}). The proxy applies it at its next counter flush, or at its next start; \`mamori counters floors\` shows "reset asked" until then.\n`);
    }
    return 0;
  } finally {
    await rt.close();
  }
}

function render(list: CounterFloor[], now: number): string {
  const rows = table(
    ['KIND', 'ABSENT KEYS READ', 'FOR', 'RESET', 'WHAT'],
    list.map((f) => [JSON.stringify(f.kind).slice(1, -1), String(f.count), remaining(f.expiresAt - now), f.pending ? 'asked' : '-', f.label]),
  );
  return list.some((f) => f.pending) ? `${rows}RESET asked: the proxy applies it at its next counter flush, or at its next start.\n` : rows;
}
