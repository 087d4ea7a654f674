import { mkdirSync, readFileSync } from 'node:fs';
import { startDemoShop } from '@mamori/demo-shop';
import { loadConfig, parseConfig, startMamoriProxy, type MamoriConfig } from 'mamori';
import { parse } from '../command.js';
import { openRuntime, wafSummary, warmCounters } from '../runtime.js';

export const help = `Usage: mamori demo [--port 8080] [--shop-port 0] [--config FILE]

Starts the bundled demo shop (on a loopback port) and mamori's proxy in front
of it, on embedded defaults: the CLI's own config/demo.yaml, its data (SQLite
and the secret) in .mamori in the current folder. This is \`npm start\`.
Try it: log in as alice@example.com / alice-demo-password, then run
\`npx mamori simulate brute-force --target http://127.0.0.1:8080\`.
`;

/** The demo config shipped with the CLI, read as if it were in the current folder (data in ./.mamori). */
export function demoConfig(): MamoriConfig {
  const text = readFileSync(new URL('../../config/demo.yaml', import.meta.url), 'utf8');
  return parseConfig(text, '<the demo config>');
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, 'shop-port': { type: 'string' }, config: { type: 'string', short: 'c' } }, help);
  const config = values.config ? loadConfig(values.config) : demoConfig();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const shop = await startDemoShop({ port: Number(values['shop-port'] ?? 0), dbPath: `${config.dataDir}/shop.db` });
  const rt = await openRuntime(config, { onError: (e) => process.stderr.write(`mamori: ${(e as Error).message}\n`) });
  warmCounters(rt);
  const port = Number(values.port ?? process.env.PORT ?? config.proxy?.port ?? 8080);
  const proxy = await startMamoriProxy({
    guard: rt.guard,
    upstream: shop.url,
    host: config.proxy?.host ?? '127.0.0.1',
    port,
    trustedProxies: config.network.trustedProxies,
    onError: (e) => process.stderr.write(`mamori proxy: ${(e as Error).message}\n`),
  });
  process.stdout.write(`mamori demo is running.

  Shop through mamori:  ${proxy.url}/          <- use this one
  Log in:               ${proxy.url}/login     (alice@example.com / alice-demo-password)
  Admin area:           ${proxy.url}/admin     (only from Japan or this machine)
  Demo shop directly:   ${shop.url}/     (unprotected, for comparison)
  Data:                 ${config.dataDir}

Attack it from another terminal:
  npx mamori simulate brute-force --target ${proxy.url}
  npx mamori decisions list
${wafSummary(rt).join('\n')}
Press Ctrl+C to stop.
`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await proxy.close();
  await rt.close();
  await shop.close();
  return 0;
}
