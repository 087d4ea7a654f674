/** How `mamori` reports a failure on stderr, and how a command's promise becomes the exit code. */

/**
 * `mamori: CODE: message` for an error with a code (mamori's MAMORI_ERR_..., Node's ENOENT ...),
 * the code left out when the message already starts with it (Node's `ENOENT: no such file ...`).
 */
export function errorText(err: unknown): string {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'string' && e.code !== '' && !message.startsWith(`${e.code}:`) ? `${e.code}: ` : '';
  return `${code}${message}`;
}

/** Writes `mamori: <errorText>` (after `what`, when given: `warning: events not recorded: `) to stderr. */
export function reportError(err: unknown, what = ''): void {
  process.stderr.write(`mamori: ${what}${errorText(err)}\n`);
}

/** Sets the exit code from a command's result; a command that throws exits 1 with its error on stderr. */
export function finish(result: Promise<number>): void {
  result.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      reportError(err);
      process.exitCode = 1;
    },
  );
}
