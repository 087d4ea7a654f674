/**
 * From what a user writes (`NetScaler ADC FIPS`, `Pulse Connect Secure`, an npm package name)
 * to the product mapping entry, its grammar and the index keys each feed knows it by.
 */
import type { Asset } from '../model.js';
import { PRODUCTS, type ProductSpec } from '../data/products.js';
import { cpeKey } from '../feeds/cpe.js';
import { kevKey, } from '../feeds/kev.js';
import { normName } from '../feeds/cve5.js';
import { osvKey } from '../feeds/osv.js';
import { grammar } from '../versions/builtins.js';
import type { Version, VersionGrammar } from '../versions/grammar.js';
import { distAnyKey, distKey, distroName, parseDistro, type Distro, type PackageFamily } from '../feeds/distro.js';
import { isVersion } from '../versions/grammar.js';

export interface ResolvedProduct {
  readonly spec: ProductSpec;
  readonly grammar: VersionGrammar;
  /** Index keys: `cpe:…`, `cve5:…`, `kev:…`, `osv:…`. */
  readonly keys: readonly string[];
  /** True when the product was not in the mapping and was taken as a package name. */
  readonly byName: boolean;
  /** deb and rpm packages: the release they were built for (or why it is not known), and the names the feeds may use. */
  readonly dist?: DistPackage;
}

export interface DistPackage {
  readonly family: PackageFamily;
  readonly distro?: Distro;
  /** Why the release is not known: its advisories are then unknown, never not affected. */
  readonly noRelease?: string;
  readonly binary: string;
  /** The source package (dpkg's Source:), when it differs from the binary's name. */
  readonly source?: string;
  /** The source package's version when dpkg gives it (`Source: openssl (3.0.11-1)`). */
  readonly sourceVersion?: Version;
}

const SIGNED_KERNEL = /^linux-signed-(amd64|arm64|i386)$/;
const SOURCE = /^([a-z0-9][a-z0-9.+_-]{0,99})(?:\s*\(([^()\s]{1,128})\))?$/i;

function distPackage(asset: Pick<Asset, 'type' | 'product' | 'distro' | 'source'>): ResolvedProduct | { problem: string } {
  const family = asset.type as PackageFamily;
  const g = grammar(family);
  let source: string | undefined;
  let sourceVersion: Version | undefined;
  if (asset.source !== undefined) {
    const m = SOURCE.exec(asset.source.trim());
    if (!m) return { problem: `source ${JSON.stringify(asset.source.slice(0, 60))} is not a source package name (openssh, or "openssl (3.0.11-1)" as dpkg writes it)` };
    if (m[1] !== asset.product) source = m[1]!;
    // Debian's kernel images are built by linux-signed-<arch> (6.1.170+3), a wrapper that signs
    // the linux source's images; the binary's version (6.1.170-3) is linux's, and the tracker and
    // OSV file kernel flaws under linux: matched as linux, by the binary's version.
    if (family === 'deb' && SIGNED_KERNEL.test(m[1]!)) {
      source = 'linux';
    } else if (m[2] !== undefined) {
      const v = g.parse(m[2]);
      if (!isVersion(v)) return { problem: `the source version in ${JSON.stringify(asset.source)}: ${v.problem}` };
      sourceVersion = v;
    }
  }
  let distro: Distro | undefined;
  let noRelease: string | undefined;
  if (asset.distro === undefined) noRelease = `the distribution release of this ${family} package is not known (give distro: debian:12, ubuntu:22.04, almalinux:9 ... in the inventory, or discover it where /etc/os-release says it); fixes differ per release`;
  else {
    const d = parseDistro(asset.distro);
    if ('problem' in d) noRelease = `${d.problem}; fixes differ per release`;
    else if (d.family !== family) return { problem: `distro ${asset.distro} is a ${d.family} distribution, but the asset is a ${family} package` };
    else distro = d;
  }
  const names = [asset.product, ...(source ? [source] : [])];
  const keys = names.map((n) => (distro ? distKey(distro.key, n) : distAnyKey(family, n)));
  const spec: ProductSpec = { name: asset.product, aliases: [], types: [family], grammar: family, cpe: [], cve5: [], kev: [], seen: `${family} package name${distro ? ` in ${distroName(distro)}` : ''}` };
  const dist: DistPackage = { family, binary: asset.product, ...(distro ? { distro } : {}), ...(noRelease ? { noRelease } : {}), ...(source ? { source } : {}), ...(sourceVersion ? { sourceVersion } : {}) };
  return { spec, grammar: g, keys, byName: true, dist };
}

function names(products: readonly ProductSpec[]): Map<string, ProductSpec> {
  const m = new Map<string, ProductSpec>();
  for (const p of products) for (const n of [p.name, ...p.aliases]) m.set(normName(n), p);
  return m;
}

const BY_NAME = names(PRODUCTS);

export function keysOf(spec: ProductSpec): string[] {
  const keys = new Set<string>();
  for (const c of spec.cpe) {
    const [v, p] = c.split(':');
    keys.add(cpeKey(v!, p!));
  }
  for (const c of [...spec.cve5, ...Object.keys(spec.cve5OnlyOn ?? {})]) keys.add(`cve5:${c}`);
  for (const k of spec.kev) {
    const [v, p] = k.split('|');
    keys.add(kevKey(v!, p!));
  }
  for (const o of spec.osv ?? []) keys.add(`osv:${o}`);
  return [...keys];
}

/** The product an asset is, or why none is known. */
export function resolveProduct(asset: Pick<Asset, 'type' | 'product' | 'distro' | 'source'>): ResolvedProduct | { problem: string } {
  // A distribution's package is known by its name in its release's records, never through the product mapping.
  if (asset.type === 'deb' || asset.type === 'rpm') return distPackage(asset);
  const spec = BY_NAME.get(normName(asset.product));
  if (spec && (spec.types.includes(asset.type) || (asset.type === 'wordpress-theme' && spec.types.includes('wordpress-plugin')))) {
    return { spec, grammar: grammar(spec.grammar), keys: keysOf(spec), byName: false };
  }
  if (asset.type === 'npm') {
    const s: ProductSpec = { name: asset.product, aliases: [], types: ['npm'], grammar: 'npm', cpe: [], cve5: [], kev: [], osv: [`npm:${asset.product}`], seen: 'npm package name' };
    return { spec: s, grammar: grammar('npm'), keys: [osvKey('npm', asset.product)], byName: true };
  }
  if (spec) return { problem: `${asset.product} is a ${spec.types.join('/')} product, not a ${asset.type}` };
  return { problem: `${JSON.stringify(asset.product)} is not in mamori's product name mapping (data/products.ts); nothing can be matched for it` };
}
