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
import type { VersionGrammar } from '../versions/grammar.js';

export interface ResolvedProduct {
  readonly spec: ProductSpec;
  readonly grammar: VersionGrammar;
  /** Index keys: `cpe:…`, `cve5:…`, `kev:…`, `osv:…`. */
  readonly keys: readonly string[];
  /** True when the product was not in the mapping and was taken as a package name. */
  readonly byName: boolean;
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
export function resolveProduct(asset: Pick<Asset, 'type' | 'product'>): ResolvedProduct | { problem: string } {
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
