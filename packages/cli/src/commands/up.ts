import { MamoriError, configWarnings, startMamoriProxy } from 'mamori';
import { parse } from '../command.js';
import { openRuntime, readConfig, wafSummary, warmCounters } from '../runtime.js';

export const help = `Usage: mamori up [--config mamori.yaml] [--upstream URL] [--listen HOST:PORT] [--detect]

Runs mamori as a reverse proxy in front of any web app (a PHP CMS, an
appliance's web UI). The login endpoints, access policy and limits come from
the config (see README, "Configuration").

  --config, -c   config file (default ./mamori.yaml)
  --upstream     the site behind mamori (overrides proxy.upstream)
  --listen       address to listen on (overrides proxy.listen; default 127.0.0.1:8080)
  --detect       record what would be blocked, block nothing
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    { config: { type: 'string', short: 'c' }, upstream: { type: 'string' }, listen: { type: 'string' }, detect: { type: 'boolean' } },
    help,
  );
  let config = readConfig(values.config);
  if (values.detect) {
    config = {
      ...config,
      mode: 'detect',
      loginProtection: { ...config.loginProtection, mode: 'detect' },
      policy: config.policy.map((p) => ({ ...p, mode: 'detect' as const })),
      rateLimits: config.rateLimits.map((r) => ({ ...r, mode: 'detect' as const })),
      ...(config.waf ? { waf: { ...config.waf, mode: 'detect' as const } } : {}),
    };
  }
  const upstream = values.upstream ?? config.proxy?.upstream;
  if (!upstream || !/^https?:\/\//.test(upstream)) {
    throw new MamoriError('MAMORI_ERR_PROXY_UPSTREAM', 'no upstream: set proxy.upstream in the config or pass --upstream http://host:port');
  }
  let host = config.proxy?.host ?? '127.0.0.1';
  let port = config.proxy?.port ?? 8080;
  if (values.listen) {
    const m = /^(.*):(\d{1,5})$/.exec(values.listen);
    if (!m) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--listen "${values.listen}" is not HOST:PORT`);
    host = m[1]!.replace(/^\[|\]$/g, '');
    port = Number(m[2]);
  }
  for (const w of configWarnings(config)) process.stderr.write(`mamori: warning: ${w}\n`);
  const rt = await openRuntime(config, { onError: (e) => process.stderr.write(`mamori: ${(e as Error).message}\n`) });
  warmCounters(rt);
  const p = config.proxy;
  const proxy = await startMamoriProxy({
    guard: rt.guard,
    upstream,
    host,
    port,
    trustedProxies: config.network.trustedProxies,
    limits: p
      ? { maxHeaderBytes: p.maxHeaderBytes, maxHeaders: p.maxHeaders, maxBufferedBodyBytes: p.maxBodyBytes, upstreamTimeoutMs: p.upstreamTimeoutMs, requestTimeoutMs: p.requestTimeoutMs }
      : undefined,
    onError: (e) => process.stderr.write(`mamori proxy: ${(e as Error).message}\n`),
  });
  process.stdout.write(`mamori is protecting ${upstream} at ${proxy.url}${config.mode === 'detect' ? ' (detect-only)' : ''}\n`);
  for (const line of wafSummary(rt)) process.stdout.write(`${line}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await proxy.close();
  await rt.close();
  return 0;
}
