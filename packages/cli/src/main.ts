import type { CommandModule } from './command.js';

export const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  demo: { summary: 'start the demo shop with mamori in front of it (what `npm start` runs)', load: () => import('./commands/demo.js') },
  up: { summary: 'run the reverse proxy in front of an upstream site', load: () => import('./commands/up.js') },
  decisions: { summary: 'list, add or delete decisions (allow / challenge / block)', load: () => import('./commands/decisions.js') },
  counters: { summary: 'see and drop the floors a flood of keys left in the counter table (after the attack)', load: () => import('./commands/counters.js') },
  vuln: { summary: 'vulnerability intelligence: inventory, feeds (KEV, NVD, CVE 5, OSV, EPSS, JVN), matching and the patch plan', load: () => import('./commands/vuln.js') },
  alerts: { summary: 'list and show the alerts log detection raised (mamori watch, mamori replay)', load: () => import('./commands/alerts.js') },
  events: { summary: 'show recorded security events', load: () => import('./commands/events.js') },
  config: { summary: 'check a config file, or print the JSON Schema', load: () => import('./commands/config.js') },
  waf: { summary: 'check SecLang rule files, or run WAF regression tests (CRS) in process', load: () => import('./commands/waf.js') },
  rules: { summary: 'download and install the OWASP Core Rule Set, or say which CRS mamori finds', load: () => import('./commands/rules.js') },
  ioc: { summary: 'import, fetch, list and look up indicators of compromise (STIX, MISP, CSV)', load: () => import('./commands/ioc.js') },
  host: { summary: 'check this Linux host: processes, connections and listeners against IoCs', load: () => import('./commands/host.js') },
  users: { summary: "manage the people mamori's own sign-in knows (the MFA gate): passwords, TOTP, recovery codes", load: () => import('./commands/users.js') },
  fim: { summary: 'file integrity: signed baselines, checks, accepted changes, watching', load: () => import('./commands/fim.js') },
  scan: { summary: 'scan files for webshells and backdoors (YARA and mamori\'s own analysers): clean, suspicious or malicious', load: () => import('./commands/scan.js') },
  sigma: { summary: 'check a folder of Sigma rules: how many mamori can run on its logs, and why the others not', load: () => import('./commands/sigma.js') },
  simulate: { summary: 'run a scripted attack against a target you own', load: () => import('./commands/simulate.js') },
  watch: { summary: 'follow logs (files, syslog, the journal, HTTP) through the detection scenarios and Sigma rules: alerts, decisions, notifications', load: () => import('./commands/watch.js') },
  replay: { summary: 'replay log files (plain or gzip) through the detection scenarios on event time: a timeline of who tried what, and what succeeded', load: () => import('./commands/replay.js') },
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return `mamori (守り): protection for web logins, checkouts and servers

Usage: mamori <command> [options]

Commands:
${lines.join('\n')}

Run \`mamori <command> --help\` for a command's options.
`;
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return 0;
  }
  if (name === '--version') {
    process.stdout.write('0.1.0\n');
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`mamori: unknown command "${name.slice(0, 40)}"\n\n${mainHelp()}`);
    return 2;
  }
  const mod = await cmd.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write((await mod.helpFor?.(rest)) ?? mod.help);
    return 0;
  }
  return mod.run(rest);
}
