import { parseDuration, type SecurityEvent } from 'mamori';
import { parse } from '../command.js';
import { openRuntime, readConfig } from '../runtime.js';
import { detectMark, table } from '../render.js';

export const help = `Usage: mamori events [--json] [--action NAME] [--source IP] [--user NAME]
                     [--since 1h] [--limit 50] [--each] [--config FILE]

Shows recorded security events, newest first (SecurityEvent: ECS field names).
Events that repeat (same action, source, account, rule and reason, one after
another) are shown once with their COUNT and the time of the latest; --each
shows every one. DETECT says "yes" for what detect mode recorded
(mamori.detect_only): what mamori would have done, not what it did.

  --user NAME     events about this account, named as users type it (names are
                  stored only as keyed hashes; the instance secret hashes NAME)
  --source IP     events from this address (also --ip)
`;

/** A run of identical events, newest first. */
interface Group {
  first: SecurityEvent;
  count: number;
}

function sameKind(a: SecurityEvent, b: SecurityEvent): boolean {
  return (
    a['event.action'] === b['event.action'] &&
    a['source.ip'] === b['source.ip'] &&
    a['user.id'] === b['user.id'] &&
    a['rule.id'] === b['rule.id'] &&
    a['event.reason'] === b['event.reason'] &&
    a['mamori.detect_only'] === b['mamori.detect_only']
  );
}

/** Consecutive identical events (the list is newest first) as one line each. */
export function groupEvents(events: readonly SecurityEvent[]): Group[] {
  const out: Group[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (last && sameKind(last.first, e)) last.count++;
    else out.push({ first: e, count: 1 });
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      action: { type: 'string' },
      ip: { type: 'string' },
      source: { type: 'string' },
      user: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      each: { type: 'boolean' },
    },
    help,
  );
  const rt = await openRuntime(readConfig(values.config, { existing: true }), { admin: true });
  try {
    const limit = Math.min(10_000, Number(values.limit ?? 50) || 50);
    const events = await rt.store.events.query({
      action: values.action,
      sourceIp: values.source ?? values.ip,
      userId: values.user !== undefined ? rt.guard.login.userHash(values.user) : undefined,
      since: values.since ? rt.guard.clock.now() - parseDuration(values.since, '--since') : undefined,
      // Grouped, a page of lines may stand for many more events.
      limit: values.json || values.each ? limit : Math.min(10_000, limit * 20),
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(events, null, 2)}\n`);
      return 0;
    }
    if (events.length === 0) {
      process.stdout.write('No events.\n');
      return 0;
    }
    const groups = values.each ? events.map((first) => ({ first, count: 1 })) : groupEvents(events).slice(0, limit);
    process.stdout.write(
      table(
        ['TIME', 'COUNT', 'ACTION', 'DETECT', 'SOURCE', 'USER', 'RULE', 'REASON'],
        groups.map(({ first: e, count }) => [e['@timestamp'], count, e['event.action'], detectMark(e['mamori.detect_only']), e['source.ip'], e['user.id']?.slice(0, 10), e['rule.id'], e['event.reason']]),
      ),
    );
    return 0;
  } finally {
    await rt.close();
  }
}
