/**
 * The request headers only mamori sets for the site behind it (the 3-D Secure step-up, the second
 * factor's reasons). A client's copies go from every request, under any spelling a server could
 * read as one of them: case, and `_` for `-` (CGI, Rack and PHP read both as HTTP_X_MAMORI_...).
 */
import { STEP_UP_HEADER } from './checkout-endpoint.js';
import { SECOND_FACTOR_HEADER } from './second-factor.js';

const OWN = new Set([STEP_UP_HEADER, SECOND_FACTOR_HEADER]);

/** Whether a request header's name is, or could be read as, one of mamori's own. */
export function isOwnRequestHeader(name: string): boolean {
  return name.length > 8 && /^x[-_]mamori[-_]/i.test(name) && OWN.has(name.toLowerCase().replace(/_/g, '-'));
}

/** Removes every client copy of mamori's own request headers from a Node header object. */
export function dropOwnRequestHeaders(headers: Record<string, unknown>): void {
  for (const k of Object.keys(headers)) if (isOwnRequestHeader(k)) delete headers[k];
}
