import { MamoriError, openCountryDatabase, parseDuration, type CountryLookup } from 'mamori';
import { AlertCenter, WatchService, validateAlertsConfig, validateWatchConfig, type WatchStatus } from '@mamori/detect';
import { loadIocMatcher } from '@mamori/host';
import { parse } from '../command.js';
import { stdinStream } from '../stdin.js';
import { openRuntime, readConfig } from '../runtime.js';

export const help = `Usage: mamori watch [--config FILE] [--status-every 1m] [--no-ioc]

Follows the logs the \`watch:\` section of mamori.yaml names (files across
rotation, syslog over UDP or TCP, the systemd journal, JSON events posted over
HTTP, standard input), reads each line with mamori's log parsers, and runs the
detection scenarios and your Sigma rules on the events as they come. An alert
is recorded (<data_dir>/alerts.db, \`mamori alerts list\`), can block or
challenge its source through a decision the proxy enforces at once (and the
nftables firewall, for sshd and other services), and reaches people through
the notifiers of the \`alerts:\` section, grouped. File offsets and the
journal's cursor are checkpointed (<data_dir>/watch.db): a restart goes on
where it stopped, and raises no alert twice. docs/detect.md has the sections.

  --status-every D   print each input's counters this often on stderr (default 1m; 0: never)
  --no-ioc           do not match sources against mamori's indicators (ioc.db and the proxyware set)

Stops on Ctrl-C (SIGINT) or SIGTERM, after the batch in flight.
`;

function statusLine(s: WatchStatus): string {
  const inputs = s.inputs.map((i) => `${i.input}: ${i.counters.delivered} lines${i.counters.skipped ? `, ${i.counters.skipped} skipped` : ''}${i.counters.overRate + i.counters.queueFull ? `, ${i.counters.overRate + i.counters.queueFull} dropped` : ''}`);
  return `mamori watch: ${s.events} events (${s.unparsed} lines no parser read), ${s.alerts} alerts; ${inputs.join('; ')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { config: { type: 'string', short: 'c' }, 'status-every': { type: 'string' }, 'no-ioc': { type: 'boolean' } }, help);
  if (positionals.length) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `unexpected ${JSON.stringify(positionals[0]!.slice(0, 40))}: the inputs are in mamori.yaml's watch: section\n\n${help}`);
  const every = values['status-every'] === undefined ? 60_000 : values['status-every'] === '0' ? 0 : parseDuration(values['status-every'], '--status-every');
  const config = readConfig(values.config);
  const watch = validateWatchConfig(config.watch);
  const alerts = validateAlertsConfig(config.alerts);
  if (watch.inputs.length === 0) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `watch.inputs: nothing to watch in ${config.source}: name log files, syslog, the journal or an HTTP input (docs/detect.md); on a systemd host, read sshd from the journal: \`- journal: { filters: [_SYSTEMD_UNIT=ssh.service, _SYSTEMD_UNIT=sshd.service] }\``);
  let country: CountryLookup | undefined;
  try {
    country = openCountryDatabase(config.geo.database);
  } catch {
    country = undefined; // no country database: events carry no country
  }
  const ioc = values['no-ioc'] ? undefined : loadIocMatcher({ dataDir: config.dataDir, now: Date.now() });
  const rt = await openRuntime(config, { admin: true });
  const onError = (err: unknown): void => {
    process.stderr.write(`mamori watch: ${(err as Error).message ?? String(err)}\n`);
  };
  const center = AlertCenter.forMamori(rt, alerts, { onError });
  const service = new WatchService({
    config: watch,
    dataDir: config.dataDir,
    ...(config.store.kind === 'sqlite' ? { storePath: config.store.path } : {}),
    sink: center,
    decisions: rt.store.decisions,
    ...(country ? { country } : {}),
    ...(ioc ? { ioc } : {}),
    ...(watch.inputs.some((i) => i.kind === 'stdin') ? { stdin: stdinStream() } : {}),
    onNote: (n) => process.stderr.write(`mamori watch: ${n}\n`),
    onError,
  });
  let status: NodeJS.Timeout | undefined;
  try {
    await center.syncFirewall();
    await service.start();
    process.stderr.write(`mamori watch: following ${watch.inputs.length} input${watch.inputs.length === 1 ? '' : 's'}; alerts in ${config.dataDir}/alerts.db\n`);
    if (every > 0) status = setInterval(() => process.stderr.write(statusLine(service.status())), every);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // Standard input alone ends by itself.
      void service.done.then(stop);
    });
  } finally {
    if (status) clearInterval(status);
    await service.stop();
    await center.settled();
    await center.close();
    await rt.close();
  }
  process.stderr.write(statusLine(service.status()));
  return 0;
}
