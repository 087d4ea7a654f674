/**
 * A CycloneDX SBOM (JSON): its components (nested ones included) with a package URL. The purl's
 * type says the asset type: `pkg:npm` → npm, `pkg:deb` → deb, `pkg:rpm` → rpm, and WordPress
 * plugins and themes as WPackagist names them (`pkg:composer/wpackagist-plugin/akismet@5.0.2`).
 * Components of other types are counted in a note; no feed mamori reads covers them yet.
 */
import { MamoriError } from 'mamori';
import type { AssetType } from '../../model.js';
import { Collector, type DiscoverOptions, type Discovery } from './common.js';
import { readBounded } from './files.js';
import { parseJsonBounded } from './npm.js';

const MAX_SBOM = 256 * 1024 * 1024;
const MAX_COMPONENTS = 500_000;

export interface Purl {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  /** The `epoch` qualifier (deb, rpm): part of the version, which the purl writes without it. */
  epoch?: string;
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** `pkg:type/namespace/name@version?qualifiers#subpath` (the purl specification), or undefined. */
export function parsePurl(purl: string): Purl | undefined {
  if (purl.length > 2048 || !purl.startsWith('pkg:')) return undefined;
  let rest = purl.slice(4).replace(/^\/+/, '');
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  let epoch: string | undefined;
  if (q >= 0) {
    for (const kv of rest.slice(q + 1).split('&', 64)) if (kv.toLowerCase().startsWith('epoch=')) epoch = decode(kv.slice(6));
    rest = rest.slice(0, q);
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const type = rest.slice(0, slash).toLowerCase();
  rest = rest.slice(slash + 1);
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    version = decode(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const parts = rest.split('/').filter((p) => p !== '');
  const name = parts.length ? decode(parts.pop()!) : undefined;
  if (!name) return undefined;
  const namespace = parts.length ? parts.map((p) => decode(p) ?? p).join('/') : undefined;
  return { type, name, ...(namespace ? { namespace } : {}), ...(version ? { version } : {}), ...(epoch ? { epoch } : {}) };
}

function assetOf(p: Purl): { type: AssetType; product: string } | undefined {
  if (p.type === 'npm') return { type: 'npm', product: p.namespace ? `${p.namespace}/${p.name}` : p.name };
  if (p.type === 'deb') return { type: 'deb', product: p.name };
  if (p.type === 'rpm') return { type: 'rpm', product: p.name };
  if (p.type === 'composer' && p.namespace === 'wpackagist-plugin') return { type: 'wordpress-plugin', product: p.name };
  if (p.type === 'composer' && p.namespace === 'wpackagist-theme') return { type: 'wordpress-theme', product: p.name };
  if (p.type === 'composer' && p.namespace === 'johnpbloch' && p.name === 'wordpress-core') return { type: 'wordpress', product: 'wordpress' };
  return undefined;
}

export function parseCycloneDx(text: string, file: string, opts: DiscoverOptions = {}): Discovery {
  const doc = parseJsonBounded(text, file) as unknown;
  if (typeof doc !== 'object' || doc === null || (doc as { bomFormat?: unknown }).bomFormat !== 'CycloneDX') {
    throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${file}: not a CycloneDX SBOM in JSON (no "bomFormat": "CycloneDX")`);
  }
  const c = new Collector(opts);
  const other = new Map<string, number>();
  let seen = 0;
  let noPurl = 0;
  // Components nest (`components[3].components[0]`); an explicit stack, with the depth of the
  // JSON already bounded, walks them without recursion.
  const stack: { list: unknown; at: string }[] = [{ list: (doc as { components?: unknown }).components, at: 'components' }];
  while (stack.length > 0) {
    const { list, at } = stack.pop()!;
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      if (++seen > MAX_COMPONENTS) {
        c.note(`${file}: more than ${MAX_COMPONENTS} components: the rest not read`);
        return c.result();
      }
      const comp = list[i] as Record<string, unknown> | null;
      if (typeof comp !== 'object' || comp === null) continue;
      const where = `${at}[${i}]`;
      if (Array.isArray(comp.components)) stack.push({ list: comp.components, at: `${where}.components` });
      const purl = typeof comp.purl === 'string' ? parsePurl(comp.purl) : undefined;
      if (!purl) {
        noPurl++;
        continue;
      }
      const a = assetOf(purl);
      if (!a) {
        const k = purl.type === 'composer' && purl.namespace ? `composer/${purl.namespace}` : purl.type;
        other.set(k, (other.get(k) ?? 0) + 1);
        continue;
      }
      let version = purl.version ?? (typeof comp.version === 'string' ? comp.version : undefined);
      if (!version) {
        c.note(`${file}: ${where}: ${a.product}: no version: skipped`);
        continue;
      }
      if (purl.version && typeof comp.version === 'string' && comp.version !== purl.version && comp.version !== `${purl.epoch}:${purl.version}`) {
        c.note(`${file}: ${where}: ${a.product}: the purl says ${JSON.stringify(purl.version.slice(0, 128))}, the component's version ${JSON.stringify(comp.version.slice(0, 128))}: the purl's is used`);
      }
      // Without its epoch, `1:3.0.11-1` would compare below every epoch-1 version a feed names.
      if ((a.type === 'deb' || a.type === 'rpm') && purl.epoch !== undefined && !version.includes(':')) {
        if (!/^\d{1,9}$/.test(purl.epoch)) {
          c.note(`${file}: ${where}: ${a.product}: epoch ${JSON.stringify(purl.epoch.slice(0, 20))} is not a number: skipped`);
          continue;
        }
        if (purl.epoch !== '0') version = `${purl.epoch}:${version}`;
      }
      const prefix = a.type === 'npm' ? '' : `${a.type}/`;
      c.add(a.type, `${prefix}${a.product}@${version}`, a.product, version, `${file}: ${where}`);
    }
  }
  if (noPurl > 0) c.note(`${file}: ${noPurl} components without a readable purl: skipped`);
  for (const [type, n] of [...other].sort((x, y) => y[1] - x[1]).slice(0, 20)) c.note(`${file}: ${n} components of type pkg:${type}: skipped (no feed mapping in mamori vuln)`);
  return c.result();
}

export function discoverCycloneDx(path: string, opts: DiscoverOptions = {}): Discovery {
  return parseCycloneDx(readBounded(path, MAX_SBOM, { whole: true, what: 'SBOM' }), path, opts);
}
