/**
 * Inventory files: YAML with one key, `assets:`, a list of
 * `{ name, type, product, version, exposure, owner, criticality }`.
 *
 * ```yaml
 * assets:
 *   - name: edge-vpn
 *     type: appliance
 *     product: Ivanti Connect Secure
 *     version: 22.7R2.3
 *     exposure: internet-facing
 *     owner: netops
 *     criticality: critical
 * ```
 *
 * The loader is strict: an unknown key, a duplicate name, a wrong type or a value out of its
 * set is an error at its file:line:column, and every error is reported, not only the first.
 * Each asset's origin is `file:line`.
 */
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { MamoriError } from 'mamori';
import type { Asset } from '../model.js';
import { checkAsset, show, type AssetInput } from './asset.js';
import { yamlDepthProblem } from './discover/common.js';

export const MAX_INVENTORY_BYTES = 8 * 1024 * 1024;
export const MAX_ASSETS = 50_000;
const MAX_ERRORS = 100;
const KEYS = new Set(['name', 'type', 'product', 'version', 'exposure', 'owner', 'criticality', 'distro', 'source']);

export interface InventoryError {
  /** `file:line:column`. */
  readonly where: string;
  readonly message: string;
}

export type InventoryResult = { ok: true; assets: Asset[] } | { ok: false; errors: InventoryError[] };

/** Reads and checks an inventory file; errors as a value, each with its position. */
export function parseInventoryYaml(text: string, file: string): InventoryResult {
  const errors: InventoryError[] = [];
  const lc = new LineCounter();
  const at = (offset: number | undefined): string => {
    const p = lc.linePos(offset ?? 0);
    return `${file}:${p.line}:${p.col}`;
  };
  const fail = (offset: number | undefined, message: string): void => {
    if (errors.length < MAX_ERRORS) errors.push({ where: at(offset), message });
  };
  if (text.length > MAX_INVENTORY_BYTES) return { ok: false, errors: [{ where: `${file}:1:1`, message: `the file is larger than ${MAX_INVENTORY_BYTES} bytes` }] };
  const deep = yamlDepthProblem(text);
  if (deep) return { ok: false, errors: [{ where: `${file}:${deep.line}:${deep.col}`, message: `not read: ${deep.why}` }] };
  // The tree is walked node by node and never turned into JS objects, so an alias is only a
  // node that is not a value (refused below), never an expansion.
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false });
  } catch (err) {
    return { ok: false, errors: [{ where: `${file}:1:1`, message: `not read: ${(err as Error).message.slice(0, 200)}` }] };
  }
  for (const e of doc.errors) fail(e.pos[0], e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  if (errors.length > 0) return { ok: false, errors };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { ok: true, assets: [] };
  if (!isMap(root)) {
    fail(start(root), 'an inventory is a mapping with one key, assets: (a list of assets)');
    return { ok: false, errors };
  }
  let list: Node | null | undefined;
  for (const pair of root.items as Pair<Node, Node | null>[]) {
    const k = keyOf(pair);
    if (k === 'assets') list = pair.value;
    else fail(start(pair.key), `unknown key ${show(k ?? pair.key)}: an inventory has only assets:`);
  }
  if (list === undefined || list === null || (isScalar(list) && list.value === null)) return errors.length ? { ok: false, errors } : { ok: true, assets: [] };
  if (!isSeq(list)) {
    fail(start(list), 'assets: must be a list');
    return { ok: false, errors };
  }
  if (list.items.length > MAX_ASSETS) {
    fail(start(list), `more than ${MAX_ASSETS} assets in one file`);
    return { ok: false, errors };
  }
  const assets: Asset[] = [];
  const seen = new Map<string, string>();
  for (const item of list.items as (Node | null)[]) {
    if (!isMap(item)) {
      fail(start(item) ?? start(list), 'each asset is a mapping: { name, type, product, version, exposure, owner, criticality }');
      continue;
    }
    const input: AssetInput = {};
    const fieldAt = new Map<string, number | undefined>();
    // Fields already reported here are not reported again as missing.
    const reported = new Set<string>();
    let bad = false;
    for (const pair of item.items as Pair<Node, Node | null>[]) {
      const k = keyOf(pair);
      if (k === undefined || !KEYS.has(k)) {
        fail(start(pair.key), `unknown key ${show(k ?? 'a non-text key')}: an asset has ${[...KEYS].join(', ')}`);
        bad = true;
        continue;
      }
      const v = pair.value;
      fieldAt.set(k, start(v) ?? start(pair.key));
      if (!isScalar(v)) {
        fail(start(v) ?? start(pair.key), `${k} must be a single value, not ${v === null ? 'empty' : isAlias(v) ? 'an alias: write the value itself' : 'a list or a mapping'}`);
        reported.add(k);
        bad = true;
        continue;
      }
      if (typeof v.value === 'number' && (k === 'version' || k === 'product' || k === 'name' || k === 'source')) {
        // YAML reads 7.20 as the number 7.2: the version the device prints would be lost.
        fail(start(v), `${k} must be text: quote it (${k}: "${v.source ?? String(v.value)}") so that YAML keeps it as written`);
        reported.add(k);
        bad = true;
        continue;
      }
      (input as Record<string, unknown>)[k] = v.value;
    }
    const line = lc.linePos(start(item) ?? 0).line;
    input.origin = `${file}:${line}`;
    const r = checkAsset(input);
    if (r.problems) {
      for (const p of r.problems) {
        if (reported.has(p.field)) continue;
        // A missing field is reported at the asset, a wrong one at its value.
        fail(fieldAt.get(p.field) ?? start(item), fieldAt.has(p.field) || p.field === 'origin' ? p.message : `${p.field} is missing`);
      }
      continue;
    }
    if (bad) continue;
    const prev = seen.get(r.asset.name);
    if (prev) {
      fail(fieldAt.get('name'), `the name ${show(r.asset.name)} is already used by the asset at ${prev}`);
      continue;
    }
    seen.set(r.asset.name, r.asset.origin!);
    assets.push(r.asset);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, assets };
}

/** Reads an inventory file; any problem throws MAMORI_ERR_VULN_INVENTORY listing every error found. */
export function loadInventoryFile(path: string): Asset[] {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_INVENTORY_BYTES) throw new Error(`larger than ${MAX_INVENTORY_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${path}: the inventory could not be read: ${(err as Error).message}`, { cause: err });
  }
  const r = parseInventoryYaml(text, path);
  if (!r.ok) {
    throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${path}: ${r.errors.length} problem${r.errors.length === 1 ? '' : 's'} in the inventory:\n${r.errors.map((e) => `  ${e.where}: ${e.message}`).join('\n')}`);
  }
  return r.assets;
}

function start(n: Node | null | undefined): number | undefined {
  return n?.range?.[0];
}

function keyOf(pair: Pair<Node, Node | null>): string | undefined {
  const k = pair.key;
  return isScalar(k) && typeof k.value === 'string' ? k.value : undefined;
}
