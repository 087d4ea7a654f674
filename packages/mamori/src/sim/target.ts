/**
 * The simulator's safety catch: it attacks only loopback (127.0.0.0/8, ::1,
 * `localhost`) unless the operator says they own the target. Every request
 * the simulator sends goes to the target's origin and nowhere else
 * (`sameOrigin` is checked before following any URL the target hands out).
 */
import { MamoriError } from '../core/errors.js';
import { isLoopback } from '../core/net.js';

export interface TargetCheck {
  /** The operator owns the target and accepts the traffic (`--i-own-the-target`). */
  iOwnTheTarget?: boolean;
}

/** True for `localhost`, 127.0.0.0/8 and ::1 (with or without brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost') return true;
  const bare = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  return isLoopback(bare);
}

/** Parses the target and refuses anything but http(s) on loopback, unless owned. Returns the origin URL. */
export function checkTarget(target: string, opts: TargetCheck = {}): URL {
  let url: URL;
  try {
    url = new URL(String(target));
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_SIM_TARGET', `"${String(target).slice(0, 100)}" is not a URL; give one like http://127.0.0.1:8080`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MamoriError('MAMORI_ERR_SIM_TARGET', `the target must be http:// or https://, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new MamoriError('MAMORI_ERR_SIM_TARGET', 'the target URL must not carry a user name or password');
  }
  if (!isLoopbackHost(url.hostname) && !opts.iOwnTheTarget) {
    throw new MamoriError(
      'MAMORI_ERR_SIM_TARGET',
      `refusing to attack ${url.host}: it is not on this machine (loopback). Pass --i-own-the-target only for a site you own and may load-test.`,
    );
  }
  return new URL(url.origin);
}

/** Resolves `path` against the target and returns it only if it stays on the target's origin. */
export function sameOrigin(target: URL, path: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(path, target);
  } catch {
    return undefined;
  }
  return u.origin === target.origin ? u : undefined;
}
