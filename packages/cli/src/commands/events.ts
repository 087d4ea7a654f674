import { parse } from '../command.js';
import { openRuntime, readConfig } from '../runtime.js';
import { detectMark, table } from '../render.js';

export const help = `Usage: mamori events [--json] [--action NAME] [--ip IP] [--since 1h] [--limit 50] [--config FILE]

Shows recorded security events, newest first (SecurityEvent: ECS field names).
DETECT says "yes" for what detect mode recorded (mamori.detect_only): what
mamori would have done, not what it did.
`;

import { parseDuration } from 'mamori';

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, action: { type: 'string' }, ip: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } },
    help,
  );
  const rt = await openRuntime(readConfig(values.config, { existing: true }));
  try {
    const events = await rt.store.events.query({
      action: values.action,
      sourceIp: values.ip,
      since: values.since ? rt.guard.clock.now() - parseDuration(values.since, '--since') : undefined,
      limit: Math.min(10_000, Number(values.limit ?? 50) || 50),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(events, null, 2)}\n`);
    else
      process.stdout.write(
        events.length
          ? table(
              ['TIME', 'ACTION', 'DETECT', 'SOURCE', 'USER', 'RULE', 'REASON'],
              events.map((e) => [e['@timestamp'], e['event.action'], detectMark(e['mamori.detect_only']), e['source.ip'], e['user.id']?.slice(0, 10), e['rule.id'], e['event.reason']]),
            )
          : 'No events.\n',
      );
    return 0;
  } finally {
    await rt.close();
  }
}
