/**
 * A minimal, strict reader of an inventory file for `mamori vuln check` (the full loader with
 * discovery lives in inventory/): YAML with `assets:`, a list of
 * `{ name, type, product, version, exposure, owner, criticality }`. Unknown keys, missing
 * fields, values outside their set and duplicate names are refused with file:line; the file
 * and the list are bounded.
 */
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { MamoriError } from 'mamori';
import { ASSET_TYPES, type Asset, type AssetType, type Criticality, type Exposure } from '../model.js';
import { ASSET_DEFAULTS, parseExposure, textProblem } from '../inventory/asset.js';
import { parseDistro } from '../feeds/distro.js';
import { yamlDepthProblem } from '../inventory/discover/common.js';

export const MAX_INVENTORY_BYTES = 4 * 1024 * 1024;
export const MAX_ASSETS = 100_000;
const KEYS = new Set(['name', 'type', 'product', 'version', 'exposure', 'owner', 'criticality', 'distro', 'source']);
const CRITICALITIES: readonly Criticality[] = ['low', 'medium', 'high', 'critical'];

export function parseInventory(text: string, file: string): Asset[] {
  const fail = (where: string, message: string): never => {
    throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${where}: ${message}`);
  };
  if (text.length > MAX_INVENTORY_BYTES) fail(file, `larger than ${MAX_INVENTORY_BYTES} bytes`);
  // The yaml package recurses: thousands of nested `[` overflow its stack. Scanned first, as the full loader does.
  const deep = yamlDepthProblem(text);
  if (deep) fail(`${file}:${deep.line}:${deep.col}`, `not read: ${deep.why}`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    fail(`${file}:${pos.line}:${pos.col}`, e.message.split('\n')[0]!.slice(0, 200));
  }
  const at = (keys: (string | number)[]): string => {
    const node = doc.getIn(keys, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? `${file}:${lines.linePos(node.range[0]).line}` : file;
  };
  const data = doc.toJS({ maxAliasCount: 0 }) as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return fail(file, 'an "assets:" list is expected');
  for (const k of Object.keys(data)) if (k !== 'assets') fail(at([k]), `unknown key "${k.slice(0, 40)}" (only "assets:")`);
  const list = (data as { assets?: unknown }).assets;
  if (!Array.isArray(list)) return fail(at(['assets']), '"assets:" must be a list');
  if (list.length > MAX_ASSETS) fail(at(['assets']), `more than ${MAX_ASSETS} assets`);
  const names = new Set<string>();
  return list.map((raw, i): Asset => {
    const where = at(['assets', i]);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail(where, `assets[${i}] must be a mapping`);
    const o = raw as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!KEYS.has(k)) fail(at(['assets', i, k]), `assets[${i}] has an unknown key "${k.slice(0, 40)}"`);
    const str = (k: string, required: boolean, max = 200): string | undefined => {
      const v = o[k];
      if (v === undefined || v === null) return required ? fail(where, `assets[${i}] needs "${k}"`) : undefined;
      // YAML reads a bare 6.10 as the number 6.1: refuse rather than match the wrong version
      if (typeof v === 'number') return fail(at(['assets', i, k]), `assets[${i}].${k} is a number; quote it ("${String(v)}"), as YAML reads 6.10 as 6.1`);
      const s = v;
      if (typeof s !== 'string' || s.trim() === '') return fail(at(['assets', i, k]), `assets[${i}].${k} must be a non-empty string`);
      if (s.length > max) return fail(at(['assets', i, k]), `assets[${i}].${k} is longer than ${max} characters`);
      // Terminal escapes and bidirectional overrides never reach a table.
      const p = textProblem(k, s, max);
      if (p) return fail(at(['assets', i, k]), `assets[${i}]: ${p}`);
      return s.trim();
    };
    const name = str('name', true)!;
    if (names.has(name)) fail(at(['assets', i, 'name']), `a second asset named ${JSON.stringify(name)}`);
    names.add(name);
    const type = str('type', true)! as AssetType;
    if (!ASSET_TYPES.includes(type)) fail(at(['assets', i, 'type']), `type must be one of ${ASSET_TYPES.join(', ')}`);
    // As docs/vuln.md says and the full loader does: `internet-facing` is `internet`, and a forgotten exposure is internet-facing.
    const exposureText = str('exposure', false);
    const exposure: Exposure | undefined = exposureText === undefined ? ASSET_DEFAULTS.exposure : parseExposure(exposureText);
    if (!exposure) return fail(at(['assets', i, 'exposure']), 'exposure must be internet (or internet-facing) or internal');
    const criticality = (str('criticality', false) ?? 'medium') as Criticality;
    if (!CRITICALITIES.includes(criticality)) fail(at(['assets', i, 'criticality']), `criticality must be one of ${CRITICALITIES.join(', ')}`);
    const owner = str('owner', false);
    const distroText = str('distro', false, 60);
    const source = str('source', false);
    if ((distroText !== undefined || source !== undefined) && type !== 'deb' && type !== 'rpm') fail(at(['assets', i, distroText !== undefined ? 'distro' : 'source']), `assets[${i}]: distro and source are for deb and rpm packages only`);
    let distro: string | undefined;
    if (distroText !== undefined) {
      const d = parseDistro(distroText);
      if ('problem' in d) return fail(at(['assets', i, 'distro']), `assets[${i}].distro: ${d.problem}`);
      if (d.family !== type) fail(at(['assets', i, 'distro']), `assets[${i}].distro: ${distroText} is a ${d.family} distribution, but the asset is a ${type} package`);
      distro = d.key;
    }
    return { name, type, product: str('product', true)!, version: str('version', true, 128)!, exposure, criticality, ...(owner ? { owner } : {}), ...(distro ? { distro } : {}), ...(source ? { source } : {}), origin: where };
  });
}

export function readInventory(file: string): Asset[] {
  let text: string;
  try {
    const st = statSync(file);
    // A FIFO (size 0) would be waited on for ever.
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_INVENTORY_BYTES) throw new Error(`larger than ${MAX_INVENTORY_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${file}: cannot read the inventory: ${(err as Error).message}`, { cause: err });
  }
  return parseInventory(text, file);
}
