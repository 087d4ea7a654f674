/**
 * `mfa_gate.webauthn`, checked: the relying party id and the origins passkeys are made and used
 * at. A passkey is bound by the browser to the rp id, and every response names the origin it was
 * made on; both are compared with these, never with the request's Host header (which a client
 * writes).
 */

export interface WebAuthnConfig {
  rpId: string;
  rpName: string;
  /** Exact origins (`https://host[:port]`), as a browser writes them in clientDataJSON. */
  origins: string[];
  userVerification: 'required' | 'preferred';
}

export interface RawWebAuthn {
  rp_id: string;
  rp_name?: string;
  origins: string[];
  user_verification?: 'required' | 'preferred';
}

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The checked form; each problem goes to `problem` with its path under `webauthn`. */
export function resolveWebAuthn(raw: RawWebAuthn, issuer: string, problem: (path: (string | number)[], message: string) => void): WebAuthnConfig {
  const rpId = String(raw.rp_id ?? '').toLowerCase();
  if (!HOST.test(rpId) || /^[0-9.]+$/.test(rpId)) problem(['rp_id'], 'rp_id is a host name (the site\'s, or a parent domain of it), not an IP address or a URL');
  const origins: string[] = [];
  (Array.isArray(raw.origins) ? raw.origins : []).forEach((o, i) => {
    const u = parseOrigin(o);
    if (typeof u === 'string') return problem(['origins', i], u);
    if (u.hostname !== rpId && !u.hostname.endsWith(`.${rpId}`)) return problem(['origins', i], `the origin's host ${u.hostname} is not ${rpId} or under it: browsers would refuse the rp id there`);
    origins.push(u.origin);
  });
  if (origins.length === 0 && Array.isArray(raw.origins) && raw.origins.length === 0) problem(['origins'], 'name at least one origin the sign-in page is served from');
  return { rpId, rpName: raw.rp_name ?? issuer, origins, userVerification: raw.user_verification ?? 'preferred' };
}

function parseOrigin(o: unknown): URL | string {
  if (typeof o !== 'string' || o.length > 300) return 'an origin is a string such as https://shop.example';
  let u: URL;
  try {
    u = new URL(o);
  } catch {
    return `"${o.slice(0, 80)}" is not an origin such as https://shop.example`;
  }
  if (u.pathname !== '/' || u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '' || o.endsWith('/')) return `"${o.slice(0, 80)}" has more than a scheme, a host and a port`;
  // Browsers make passkeys only in a secure context: https, or http on localhost.
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname.endsWith('.localhost'))) return u;
  return `"${o.slice(0, 80)}" is not https (http only for localhost: browsers refuse passkeys elsewhere)`;
}
