import { CONFIG_SCHEMA, MamoriError, configWarnings, loadConfig } from 'mamori';
import { parse } from '../command.js';

export const help = `Usage:
  mamori config check FILE   validate a config; prints every problem with file:line:column,
                             and warnings about settings that are valid but risky
  mamori config schema       print the JSON Schema (also in the mamori package: mamori/schema.json)
`;

export async function run(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, help);
  const [sub, file] = positionals;
  if (sub === 'schema') {
    process.stdout.write(`${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`);
    return 0;
  }
  if (sub === 'check' && file) {
    const c = loadConfig(file);
    for (const w of configWarnings(c)) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(`${c.source}: OK (${c.logins.length} login endpoint(s), ${c.policy.length} policy rule(s), ${c.rateLimits.length} rate limit(s))\n`);
    return 0;
  }
  throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected "check FILE" or "schema"\n\n${help}`);
}
