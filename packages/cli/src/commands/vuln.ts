import { MamoriError } from 'mamori';
import type { CommandModule } from '../command.js';
import { reportError } from '../error-line.js';

/** `mamori vuln <sub>`: each subcommand is a module of its own, loaded when used. */
const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  check: { summary: 'which assets of an inventory the feeds say are affected, not affected or unknown, and why', load: () => import('./vuln-check.js') },
  plan: { summary: 'the patch plan: priorities, due dates and owners, from the findings of check', load: () => import('./vuln-plan.js') },
  finding: { summary: 'list findings, accept a risk until a date (who, why), reopen one, show its history', load: () => import('./vuln-finding.js') },
  asset: { summary: 'add, list and remove the assets of the inventory (<dataDir>/vuln.db)', load: () => import('./vuln-asset.js') },
  discover: { summary: 'find assets: a WordPress install, dpkg or RPM packages, npm lock files, a CycloneDX SBOM', load: () => import('./vuln-discover.js') },
  update: { summary: 'bring the feeds up to date (KEV, NVD, EPSS, OSV, CVE 5, JVN, the Debian tracker, IPA alerts), or import them from files', load: () => import('./vuln-update.js') },
};

export const help = `Usage: mamori vuln <subcommand> [options]

Vulnerability intelligence: an inventory of appliances, CMS plugins and packages
matched against CISA KEV, NVD, CVE 5, OSV, the Debian tracker, EPSS, JVN and IPA's
urgent alerts, with a patch plan
(docs/vuln.md). A typical day:

  mamori vuln update
  mamori vuln check --inventory inventory.yaml --json | mamori vuln plan - --inventory inventory.yaml --complete

Subcommands:
${Object.entries(SUBCOMMANDS)
  .map(([k, c]) => `  ${k.padEnd(9)} ${c.summary}`)
  .join('\n')}

Run \`mamori vuln <subcommand> --help\` for its options.
`;

function subcommand(name: string | undefined): { summary: string; load: () => Promise<CommandModule> } {
  const sub = name === undefined ? undefined : SUBCOMMANDS[name];
  if (!sub) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${name === undefined ? 'name a subcommand' : `unknown subcommand "${name.slice(0, 40)}"`}\n\n${help}`);
  return sub;
}

export async function helpFor(argv: string[]): Promise<string> {
  const name = argv.find((a) => !a.startsWith('-'));
  if (name === undefined || !(name in SUBCOMMANDS)) return help;
  return (await subcommand(name).load()).help;
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const mod = await subcommand(name).load();
  // check and update read their arguments with or without their own name first; the others
  // take the words after it (asset add ..., finding accept ..., discover wordpress DIR).
  // check's exit 1 means "something affected": a check that could not run (no feeds, a bad
  // inventory) is exit 2, as its help says, so that a script does not take it for a finding.
  if (name !== 'check') return mod.run(rest);
  try {
    return await mod.run(rest);
  } catch (err) {
    reportError(err);
    return 2;
  }
}
