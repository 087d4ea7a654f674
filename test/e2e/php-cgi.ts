/**
 * PHP's own request reading, for the differential tests: a PHP script run by `php-cgi` as
 * PHP-FPM and mod_php run one (the request's method, Content-Type, query and body given as CGI
 * does), its output returned. `phpMissing` says why PHP cannot be had (the tests that need it
 * are skipped with that reason). MAMORI_PHP_CGI names another binary.
 */
import { spawnSync } from 'node:child_process';

export const PHP_CGI = process.env['MAMORI_PHP_CGI'] ?? 'php-cgi';
const probe = spawnSync(PHP_CGI, ['-v'], { encoding: 'utf8' });
export const phpMissing = probe.error || probe.status !== 0 ? `${PHP_CGI} not found (install php-cgi, or set MAMORI_PHP_CGI)` : undefined;

export interface CgiRequest {
  readonly method?: string;
  readonly contentType?: string | undefined;
  readonly query?: string;
  readonly body: Buffer;
  /** More CGI variables (HTTP_AUTHORIZATION, ...). */
  readonly env?: Readonly<Record<string, string>>;
}

/** What `script` printed for the request (a latin1 string), after the marker line `--JSON--`. */
export function runPhpCgi(script: string, r: CgiRequest): string {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    REQUEST_METHOD: r.method ?? 'POST',
    CONTENT_LENGTH: String(r.body.length),
    QUERY_STRING: r.query ?? '',
    SCRIPT_FILENAME: script,
    REDIRECT_STATUS: '200',
    GATEWAY_INTERFACE: 'CGI/1.1',
    ...r.env,
  };
  if (r.contentType !== undefined) env['CONTENT_TYPE'] = r.contentType;
  const p = spawnSync(PHP_CGI, ['-d', 'display_errors=0', '-d', 'log_errors=0'], { input: r.body, env, encoding: 'latin1', timeout: 10_000 });
  const out = p.stdout ?? '';
  const at = out.indexOf('\n--JSON--\n');
  if (at < 0) throw new Error(`php-cgi gave no answer: ${out.slice(0, 200)} ${p.stderr ?? ''}`);
  return out.slice(at + 10);
}
