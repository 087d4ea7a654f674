import { MamoriError, parseDuration, formatDuration, DECISION_ACTIONS, type Decision, type DecisionAction, type DecisionFilter, type DecisionScope } from 'mamori';
import { parse } from '../command.js';
import { openRuntime, readConfig } from '../runtime.js';
import { detectMark, remaining, table } from '../render.js';

export const help = `Usage:
  mamori decisions list   [--json] [--all] [--scope S] [--origin O] [--limit N]
  mamori decisions add    (--ip IP | --range CIDR | --user NAME | --device ID | --country CC)
                          [--action block|challenge|allow] [--duration 4h] [--reason TEXT] [--json]
  mamori decisions delete (ID | --ip IP | --range CIDR | --user NAME | --device ID | --country CC) [--json]
                          (ID: the whole id, or any unique start of it, 4 characters at least)

Decisions are what mamori enforces on requests: allow, challenge or block, for
an IP, a range, a user (stored as a keyed hash), a device or a country, until
they expire. Detectors add them; so can you. Those made in detect mode say
"yes" under DETECT (detectOnly in --json): they are recorded, never enforced.
Deleting a decision of the login protection also forgets the counts behind it
(the account's failures, the source's failing accounts), so the block is
lifted at once. Common options: --config FILE.
`;

const SCOPES: DecisionScope[] = ['ip', 'range', 'user', 'device', 'country'];

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      scope: { type: 'string' },
      origin: { type: 'string' },
      limit: { type: 'string' },
      ip: { type: 'string' },
      range: { type: 'string' },
      user: { type: 'string' },
      device: { type: 'string' },
      country: { type: 'string' },
      action: { type: 'string' },
      duration: { type: 'string' },
      reason: { type: 'string' },
    },
    help,
  );
  const [sub, id] = positionals;
  if (!sub || !['list', 'add', 'delete'].includes(sub)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected list, add or delete\n\n${help}`);
  const rt = await openRuntime(readConfig(values.config, { existing: sub !== 'add' }), { admin: true });
  try {
    const given = SCOPES.filter((s) => values[s] !== undefined);
    const target = (): { scope: DecisionScope; value: string } | undefined => {
      if (given.length > 1) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `give one of --${SCOPES.join(', --')}, not several`);
      const scope = given[0];
      if (!scope) return undefined;
      const raw = values[scope] as string;
      return { scope, value: scope === 'user' ? rt.guard.login.userHash(raw) : raw };
    };
    if (sub === 'list') {
      if (values.scope && !SCOPES.includes(values.scope as DecisionScope)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--scope must be one of ${SCOPES.join(', ')}`);
      const list = await rt.store.decisions.list({
        includeExpired: values.all ?? false,
        scope: values.scope as DecisionScope | undefined,
        origin: values.origin,
        limit: values.limit ? Number(values.limit) : 1000,
      });
      if (values.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else process.stdout.write(list.length ? render(list, rt.guard.clock.now()) : 'No active decisions.\n');
      return 0;
    }
    if (sub === 'add') {
      const t = target();
      if (!t) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `say what the decision is for: --${SCOPES.join(', --')}\n\n${help}`);
      const action = (values.action ?? 'block') as DecisionAction;
      if (!DECISION_ACTIONS.includes(action)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--action must be one of ${DECISION_ACTIONS.join(', ')}`);
      const ms = parseDuration(values.duration ?? '4h', '--duration');
      const d = await rt.store.decisions.add({ ...t, action, expiresAt: rt.guard.clock.now() + ms, origin: 'cli', reason: values.reason ?? 'added by an operator' });
      if (values.json) process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
      else process.stdout.write(`Added ${d.action} for ${d.scope} ${d.value} for ${formatDuration(ms)} (id ${d.id}).\n`);
      return 0;
    }
    // delete: the decisions, and what they stood for in the login protection's counts
    let filter: DecisionFilter;
    if (id) {
      // The list shows the first 8 characters of an id: any unique start of one will do.
      const all = await rt.store.decisions.list({ includeExpired: true, limit: 100_000 });
      const matches = all.filter((d) => d.id === id || (id.length >= 4 && d.id.startsWith(id)));
      if (matches.length > 1 && !matches.some((d) => d.id === id)) {
        throw new MamoriError('MAMORI_ERR_DECISION_AMBIGUOUS', `${matches.length} decisions have ids starting with ${id.slice(0, 64)}: give more of it (${matches.slice(0, 5).map((d) => d.id).join(', ')})`);
      }
      filter = { id: matches.find((d) => d.id === id)?.id ?? matches[0]?.id ?? id, includeExpired: true };
    } else {
      const t = target();
      if (!t) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `give a decision id or one of --${SCOPES.join(', --')}`);
      filter = { scope: t.scope, value: normalize(t.scope, t.value) };
    }
    let n = await rt.guard.deleteDecisions(filter);
    // An account name: its closures in each application too (the login protection's own).
    if (!id && values.user !== undefined) {
      for (const value of rt.guard.accountDecisionValues(values.user)) if (value !== filter.value) n += await rt.guard.deleteDecisions({ scope: 'user', value });
    }
    if (n === 0 && id) {
      // One answer, not "Deleted 0" beside an error.
      if (values.json) process.stdout.write(`${JSON.stringify({ deleted: 0 })}\n`);
      process.stderr.write(`mamori: MAMORI_ERR_DECISION_NOT_FOUND: no decision has id ${id.slice(0, 64)} (mamori decisions list --all shows them)\n`);
      return 1;
    }
    if (values.json) process.stdout.write(`${JSON.stringify({ deleted: n })}\n`);
    else process.stdout.write(`Deleted ${n} decision${n === 1 ? '' : 's'}.\n`);
    return 0;
  } finally {
    await rt.close();
  }
}

function normalize(scope: DecisionScope, value: string): string {
  // Canonicalise the same way the store does on add, so `--ip ::FFFF:1.2.3.4` finds 1.2.3.4.
  return scope === 'user' || scope === 'device' ? value : (validate(scope, value) ?? value);
}

import { normalizeDecisionValue } from 'mamori';
function validate(scope: DecisionScope, value: string): string | undefined {
  return normalizeDecisionValue(scope, value);
}

function render(list: Decision[], now: number): string {
  return table(
    ['ID', 'ACTION', 'DETECT', 'SCOPE', 'VALUE', 'EXPIRES IN', 'ORIGIN', 'REASON'],
    list.map((d) => [d.id.slice(0, 8), d.action, detectMark(d.detectOnly), d.scope, d.value, d.expiresAt > now ? remaining(d.expiresAt - now) : 'expired', d.origin, d.reason]),
  );
}

