/**
 * What every discoverer returns, and how it names assets: each asset with its origin, and
 * notes for what was skipped or guessed (a readme's Stable tag standing in for a missing
 * Version: header, a link out of the tree, a component of a type no feed covers).
 */
import type { Asset, AssetType, Criticality, Exposure } from '../../model.js';
import { ASSET_DEFAULTS, MAX_NAME, MAX_ORIGIN, MAX_PRODUCT, MAX_VERSION } from '../asset.js';

export interface Discovery {
  readonly assets: Asset[];
  /** In words, each naming its place: `wp-content/plugins/x: no Version: header; readme.txt's Stable tag 1.2 used`. */
  readonly notes: string[];
  /**
   * Entries the reader met and could not read (a line that is not a field, a stanza without a
   * version, a version too long): the packages they stand for may be installed, so `--sync`
   * must not remove them from the inventory.
   */
  readonly unread?: number;
}

export interface DiscoverOptions {
  /** Put before every asset name: `shop/`, `web-01/`. */
  readonly prefix?: string;
  readonly exposure?: Exposure;
  readonly criticality?: Criticality;
  readonly owner?: string;
  /** deb and rpm: the distribution release the packages were built for (`debian:12`), from /etc/os-release or the command line. */
  readonly distro?: string;
}

export const MAX_DISCOVERED = 200_000;
const MAX_NOTES = 1000;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Collects assets under unique names, with the options' defaults; refuses what no asset may hold. */
export class Collector {
  readonly assets: Asset[] = [];
  readonly notes: string[] = [];
  readonly #names = new Map<string, string>();
  readonly #opts: DiscoverOptions;
  #dropped = 0;
  #unread = 0;

  constructor(opts: DiscoverOptions = {}) {
    this.#opts = opts;
  }

  /** An entry that could not be read: noted, and counted (see Discovery.unread). */
  unreadable(text: string): void {
    this.#unread++;
    this.note(text);
  }

  note(text: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push(text.replace(CONTROL, '?'));
    else this.#dropped++;
  }

  /**
   * Adds an asset. The same name with the same version again (a package in two places of a
   * lock file) is one asset; another version gets `#2`, `#3`.
   */
  add(type: AssetType, name: string, product: string, version: string, origin: string, more: { source?: string } = {}): void {
    const v = version.trim();
    const where = origin.slice(0, MAX_ORIGIN).replace(CONTROL, '?');
    if (v === '' || v.length > MAX_VERSION || /[\u0000-\u001f\u007f-\u009f]/.test(v)) {
      this.unreadable(`${where}: ${product.slice(0, 80)}: version ${JSON.stringify(v.slice(0, 40))} skipped (empty, longer than ${MAX_VERSION} characters or holding control characters)`);
      return;
    }
    if (product === '' || product.length > MAX_PRODUCT || /[\u0000-\u001f\u007f-\u009f]/.test(product)) {
      this.unreadable(`${where}: a name ${JSON.stringify(product.slice(0, 40))} skipped (empty, too long or holding control characters)`);
      return;
    }
    if (this.assets.length >= MAX_DISCOVERED) {
      if (this.assets.length === MAX_DISCOVERED) this.note(`more than ${MAX_DISCOVERED} assets: the rest skipped`);
      return;
    }
    const base = `${this.#opts.prefix ?? ''}${name}`.slice(0, MAX_NAME - 8);
    let unique = base;
    for (let i = 2; this.#names.has(unique); i++) {
      if (this.#names.get(unique) === v) return;
      unique = `${base}#${i}`;
    }
    this.#names.set(unique, v);
    this.assets.push({
      name: unique,
      type,
      product,
      version: v,
      exposure: this.#opts.exposure ?? ASSET_DEFAULTS.exposure,
      criticality: this.#opts.criticality ?? ASSET_DEFAULTS.criticality,
      owner: this.#opts.owner ?? ASSET_DEFAULTS.owner,
      origin: where,
      ...((type === 'deb' || type === 'rpm') && this.#opts.distro ? { distro: this.#opts.distro } : {}),
      ...(more.source && more.source !== product && more.source.length <= MAX_PRODUCT && !/[\u0000-\u001f\u007f-\u009f]/.test(more.source) ? { source: more.source } : {}),
    });
  }

  result(): Discovery {
    if (this.#dropped > 0) this.notes.push(`${this.#dropped} more notes not shown`);
    return this.#unread > 0 ? { assets: this.assets, notes: this.notes, unread: this.#unread } : { assets: this.assets, notes: this.notes };
  }
}

/**
 * Refuses JSON nested deeper than `max` before it is parsed (and walked by code that
 * recurses): a linear scan over brackets outside strings.
 */
export function jsonDepthProblem(text: string, max: number): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return `nested deeper than ${max} levels`;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

/**
 * Refuses YAML nested deeper than a parser can take (the `yaml` package runs out of stack, or
 * of memory, on a few thousand levels): flow collections (`[[[...`) deeper than `maxFlow`
 * outside quotes and comments, or a line indented more than `maxIndent` columns (block
 * nesting needs at least a column a level). A linear scan; the line and column of the first
 * excess are returned.
 */
export function yamlDepthProblem(text: string, maxFlow = 64, maxIndent = 256): { line: number; col: number; why: string } | undefined {
  let depth = 0;
  let line = 1;
  let col = 0;
  let quote = 0;
  let indent = 0;
  let atStart = true;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    col++;
    if (c === 0x0a) {
      line++;
      col = 0;
      indent = 0;
      atStart = true;
      comment = false;
      // A quoted scalar may span lines: the quote stays open.
      continue;
    }
    if (atStart) {
      if (c === 0x20) {
        if (++indent > maxIndent) return { line, col, why: `a line indented more than ${maxIndent} columns` };
        continue;
      }
      atStart = false;
    }
    if (comment) continue;
    if (quote) {
      if (quote === 0x22 && c === 0x5c) i++;
      else if (c === quote) quote = 0;
      continue;
    }
    if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x23 && (i === 0 || text.charCodeAt(i - 1) === 0x20 || text.charCodeAt(i - 1) === 0x09 || col === 1)) comment = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxFlow) return { line, col, why: `collections nested deeper than ${maxFlow} levels` };
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}
