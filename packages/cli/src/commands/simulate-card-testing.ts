import { createGuard, MamoriError, MemoryStore, isMamoriError, startMamoriProxy } from 'mamori';
import { runCardTestingSimulation, type CardTestingReport } from 'mamori/internal';
import { startDemoShop, TEST_CARDS, GATEWAY_FEE_JPY } from '@mamori/demo-shop';
import { randomBytes } from 'node:crypto';
import { parse } from '../command.js';
import { table } from '../render.js';
import { demoConfig } from './demo.js';

export const help = `Usage: mamori simulate card-testing [--target URL] [options]

A card-testing ("credit master") attack on a shop's checkout while real
customers pay: Luhn-valid numbers in one BIN, spread over many sources, with
expiry dates and security codes guessed, tiny amounts, and challenges solved
as a bot would. Counts the authorizations that reached the payment gateway
and what they cost, from the gateway's own statistics.

Without --target: starts two copies of the demo shop, one alone and one
behind mamori (the demo config, in memory), runs the same attack on both and
prints them side by side. With --target: attacks that site (a demo shop, or
one that answers GET /api/gateway/stats the same way).

Options:
  --target URL           the shop to attack (only this machine unless
                         --i-own-the-target)
  --attempts N           attacker payment attempts (default 200, at most 20000)
  --sources N            attacker addresses (default 100)
  --customer-every N     a real customer pays after every N attempts (default 20)
  --concurrency N        attacker requests in flight (default 8, at most 64)
  --no-solve             attackers do not solve challenges
  --json                 the report(s) as JSON
  --i-own-the-target     allow a target off this machine: only a shop you own
`;

function count(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,6}$/.test(v)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${what} must be a whole number, not "${v.slice(0, 20)}"\n\n${help}`);
  return Number(v);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      target: { type: 'string' },
      attempts: { type: 'string' },
      sources: { type: 'string' },
      'customer-every': { type: 'string' },
      concurrency: { type: 'string' },
      'no-solve': { type: 'boolean' },
      json: { type: 'boolean' },
      'i-own-the-target': { type: 'boolean' },
    },
    help,
  );
  if (positionals.length > 1) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `unexpected argument "${positionals[1]!.slice(0, 40)}"\n\n${help}`);
  const progress = !values.json && process.stderr.isTTY === true;
  const common = {
    onProgress: progress ? (done: number, total: number) => process.stderr.write(`\r  attacker payments: ${done}/${total}`) : undefined,
    attempts: count(values.attempts, '--attempts'),
    sources: count(values.sources, '--sources'),
    customerEvery: count(values['customer-every'], '--customer-every'),
    concurrency: count(values.concurrency, '--concurrency'),
    attackersSolve: values['no-solve'] !== true,
    customerCards: TEST_CARDS.map((c) => c.number),
  };
  try {
    if (values.target) {
      const r = await runCardTestingSimulation({ ...common, target: values.target, iOwnTheTarget: values['i-own-the-target'] === true });
      process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : render([['the target', r]]));
      return 0;
    }
    const alone = await withDemo(false, (url) => runCardTestingSimulation({ ...common, target: url }));
    const guarded = await withDemo(true, (url) => runCardTestingSimulation({ ...common, target: url }));
    if (progress) process.stderr.write('\r\x1b[K');
    process.stdout.write(values.json ? `${JSON.stringify({ without: alone, with: guarded }, null, 2)}\n` : render([['without mamori', alone], ['with mamori', guarded]]));
    return 0;
  } catch (err) {
    if (progress) process.stderr.write('\r\x1b[K');
    if (isMamoriError(err, 'MAMORI_ERR_SIM_TARGET')) {
      process.stderr.write(`mamori: ${err.code}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** A fresh demo shop, alone or behind mamori (the demo config, a memory store), for one run. */
async function withDemo<T>(protect: boolean, f: (url: string) => Promise<T>): Promise<T> {
  const shop = await startDemoShop({ port: 0 });
  try {
    if (!protect) return await f(shop.url);
    const config = demoConfig();
    const store = new MemoryStore({});
    const guard = createGuard(config, { store, secret: randomBytes(32) });
    const proxy = await startMamoriProxy({ guard, upstream: shop.url, port: 0, trustedProxies: config.network.trustedProxies });
    try {
      return await f(proxy.url);
    } finally {
      await proxy.close();
      await guard.close();
      await store.close();
    }
  } finally {
    await shop.close();
  }
}

export function render(runs: [string, CardTestingReport][]): string {
  const out: string[] = [];
  const r0 = runs[0]![1];
  out.push(`Simulated card testing: ${r0.attacker.attempts} attacker payments, ${r0.customers.checkouts} real customers\n\n`);
  const rows = runs.map(([name, r]) => [
    name,
    r.attackAuthorizations,
    `¥${r.attackFeesJpy.toLocaleString('en-US')}`,
    r.attacker.reachedShop,
    r.attacker.rejectedInvalid,
    r.attacker.challenged,
    r.attacker.solved,
    r.attacker.blocked,
    `${r.customers.approved} / ${r.customers.checkouts}`,
    r.customers.challenged,
  ]);
  out.push(table(['', 'ATTACK AUTHORIZATIONS', 'FEES', 'ANSWERED BY SHOP', 'REJECTED INVALID', 'CHALLENGED', 'SOLVED', 'BLOCKED', 'CUSTOMERS PAID', 'CUSTOMERS CHALLENGED'], rows));
  out.push('\n');
  out.push(`Each authorization the gateway receives costs the shop ¥${GATEWAY_FEE_JPY} in the demo, approved or declined.\n`);
  out.push('Answered by the shop: declined by its gateway, or by 3-D Secure when mamori asked for it (no authorization, no fee).\n');
  if (runs.length === 2) {
    const [a, b] = [runs[0]![1], runs[1]![1]];
    const stopped = a.attackAuthorizations > 0 ? 1 - b.attackAuthorizations / a.attackAuthorizations : 1;
    out.push(`mamori stopped ${(stopped * 100).toFixed(1)}% of the attack's authorizations before the gateway (${a.attackAuthorizations} without, ${b.attackAuthorizations} with).\n`);
    if (b.customers.approved < b.customers.checkouts) out.push(`${b.customers.checkouts - b.customers.approved} real customers could not pay behind mamori.\n`);
    else out.push('Every real customer paid.\n');
  }
  return out.join('');
}
