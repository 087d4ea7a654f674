import { MamoriError } from 'mamori';
import { loadSigmaRules, type SigmaProblem } from '@mamori/detect';
import { parse } from '../command.js';

export const help = `Usage: mamori sigma check PATH [--verbose] [--json]

Loads the Sigma rules under PATH (a folder, read recursively for .yml and
.yaml files, or one file) as \`mamori watch\` and \`mamori replay\` would, and
says how many load and why the others do not, grouped by reason: a log source
mamori does not read (Windows, cloud), a field with no mapping to mamori's
event fields, a modifier or condition construct mamori cannot run, malformed
YAML. Each problem names its file and line.

mamori runs rules for these log sources: category webserver and proxy (nginx,
Apache and mamori's own access logs), product linux (service auth or sshd:
sshd and PAM lines), category application (JSON and logfmt lines), category
firewall (FortiGate); and correlation rules (event_count, value_count,
temporal, temporal_ordered) over them.

  --verbose   list every problem, not the first few of each reason
  --json      the counts, the loaded rules and every problem as JSON

Exit codes: 0 every rule loads, 1 some do not (so a rule folder can be
checked in CI), or PATH cannot be read.
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, verbose: { type: 'boolean' } }, help);
  const [sub, path, ...extra] = positionals;
  if (sub !== 'check') throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected check\n\n${help}`);
  if (!path || extra.length > 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `give one folder or file of Sigma rules\n\n${help}`);
  const r = loadSigmaRules(path);
  const byReason = new Map<string, SigmaProblem[]>();
  for (const p of r.problems) {
    const list = byReason.get(p.reason);
    if (list) list.push(p);
    else byReason.set(p.reason, [p]);
  }
  const groups = [...byReason.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const rules = r.rules.filter((x) => x.kind === 'rule').length;
  const correlations = r.rules.length - rules;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          path,
          files: r.files,
          documents: r.documents,
          loaded: r.rules.length + r.filters,
          rules,
          correlations,
          filters: r.filters,
          problems: r.problems.length,
          byReason: Object.fromEntries(groups.map(([k, v]) => [k, v.length])),
          loadedRules: r.rules,
          problemList: r.problems,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const where = (p: SigmaProblem) => `${p.file}${p.line !== undefined ? `:${p.line}` : ''}`;
    const filters = r.filters ? `, ${r.filters} filter${r.filters === 1 ? '' : 's'}` : '';
    let text = `Loaded ${r.rules.length + r.filters} of ${r.documents} rule documents from ${path} (${r.files} file${r.files === 1 ? '' : 's'}): ${rules} rule${rules === 1 ? '' : 's'}, ${correlations} correlation${correlations === 1 ? '' : 's'}${filters}.\n`;
    if (r.problems.length === 0) text += 'Every rule loads.\n';
    else {
      text += `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}, by reason:\n`;
      const shown = values.verbose ? Infinity : 3;
      for (const [reason, list] of groups) {
        text += `  ${String(list.length).padStart(6)}  ${reason}\n`;
        for (const p of list.slice(0, shown)) text += `          ${where(p)}: ${p.detail}${p.rule ? ` (${p.rule})` : ''}\n`;
        if (list.length > shown) text += `          ... ${list.length - shown} more (--verbose lists them)\n`;
      }
    }
    process.stdout.write(text);
  }
  return r.problems.length === 0 ? 0 : 1;
}
