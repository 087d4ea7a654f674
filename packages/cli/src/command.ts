import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MamoriError } from 'mamori/errors';

export interface CommandModule {
  readonly help: string;
  /** The help for these arguments, when a subcommand has its own (`simulate card-testing --help`). */
  helpFor?(argv: string[]): Promise<string>;
  run(argv: string[]): Promise<number>;
}

/** parseArgs with mamori's usage error. */
type Parsed<T extends NonNullable<ParseArgsConfig['options']>> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, help: string): Parsed<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${(err as Error).message}\n\n${help}`, { cause: err });
  }
}

export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;
