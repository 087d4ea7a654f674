/**
 * One asset checked field by field, wherever it comes from (an inventory file, `mamori vuln
 * asset add`, discovery): bounded lengths, no control characters, the enumerations spelled
 * out, and the defaults for what is left out (docs/vuln.md, "The inventory").
 */
import { ASSET_TYPES, type Asset, type AssetType, type Criticality, type Exposure } from '../model.js';
import { parseDistro } from '../feeds/distro.js';

export const EXPOSURES: readonly Exposure[] = ['internet', 'internal'];
export const CRITICALITIES: readonly Criticality[] = ['low', 'medium', 'high', 'critical'];

/**
 * What an asset gets when it does not say. Unknown exposure counts as internet-facing: a
 * forgotten field must not push a reachable, exploited flaw down the plan.
 */
export const ASSET_DEFAULTS = { exposure: 'internet', criticality: 'medium', owner: 'unassigned' } as const satisfies { exposure: Exposure; criticality: Criticality; owner: string };

export const MAX_NAME = 200;
export const MAX_PRODUCT = 200;
export const MAX_VERSION = 128;
export const MAX_OWNER = 200;
export const MAX_ORIGIN = 1024;

// Printable text only: control characters (terminal escapes, newlines) and bidirectional overrides
// (which make a name read as another in a terminal) never reach a table or a log.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** The problem with one string field, or undefined. */
export function textProblem(field: string, v: unknown, max: number): string | undefined {
  if (typeof v !== 'string') return `${field} must be text, not ${v === null ? 'null' : typeof v}`;
  if (v.trim() === '') return `${field} is empty`;
  if (v.length > max) return `${field} is longer than ${max} characters`;
  if (CONTROL.test(v)) return `${field} holds a control character`;
  return undefined;
}

export function parseExposure(v: unknown): Exposure | undefined {
  if (v === 'internet' || v === 'internet-facing') return 'internet';
  if (v === 'internal') return 'internal';
  return undefined;
}

export function isCriticality(v: unknown): v is Criticality {
  return typeof v === 'string' && (CRITICALITIES as readonly string[]).includes(v);
}

export function isAssetType(v: unknown): v is AssetType {
  return typeof v === 'string' && (ASSET_TYPES as readonly string[]).includes(v);
}

export interface AssetInput {
  name?: unknown;
  type?: unknown;
  product?: unknown;
  version?: unknown;
  exposure?: unknown;
  owner?: unknown;
  criticality?: unknown;
  origin?: unknown;
  distro?: unknown;
  source?: unknown;
}

/**
 * Checks one asset; returns it with defaults filled in, or the problems, each naming its field
 * (the caller adds where: a file position, a command-line flag).
 */
export function checkAsset(input: AssetInput): { asset: Asset; problems?: undefined } | { asset?: undefined; problems: { field: string; message: string }[] } {
  const problems: { field: string; message: string }[] = [];
  const text = (field: keyof AssetInput, max: number): string | undefined => {
    const p = textProblem(field, input[field], max);
    if (p) problems.push({ field, message: p });
    return p ? undefined : (input[field] as string);
  };
  const name = text('name', MAX_NAME);
  const product = text('product', MAX_PRODUCT);
  // A version is kept exactly as printed; a number in YAML (`version: 7.2`) is refused rather
  // than turned into text, since 7.20 would have become 7.2.
  const version = text('version', MAX_VERSION);
  let type: AssetType | undefined;
  if (!isAssetType(input.type)) problems.push({ field: 'type', message: `type must be one of ${ASSET_TYPES.join(', ')}, not ${show(input.type)}` });
  else type = input.type;
  let exposure: Exposure = ASSET_DEFAULTS.exposure;
  if (input.exposure !== undefined) {
    const e = parseExposure(input.exposure);
    if (!e) problems.push({ field: 'exposure', message: `exposure must be internet (or internet-facing) or internal, not ${show(input.exposure)}` });
    else exposure = e;
  }
  let criticality: Criticality = ASSET_DEFAULTS.criticality;
  if (input.criticality !== undefined) {
    if (!isCriticality(input.criticality)) problems.push({ field: 'criticality', message: `criticality must be one of ${CRITICALITIES.join(', ')}, not ${show(input.criticality)}` });
    else criticality = input.criticality;
  }
  let owner: string = ASSET_DEFAULTS.owner;
  if (input.owner !== undefined) owner = text('owner', MAX_OWNER) ?? owner;
  let origin: string | undefined;
  if (input.origin !== undefined) origin = text('origin', MAX_ORIGIN);
  // deb and rpm: the release they were built for (its advisories differ per release) and their source package
  let distro: string | undefined;
  let source: string | undefined;
  for (const f of ['distro', 'source'] as const) {
    if (input[f] === undefined) continue;
    if (type !== undefined && type !== 'deb' && type !== 'rpm') problems.push({ field: f, message: `${f} is for deb and rpm packages only` });
    const v = text(f, f === 'distro' ? 60 : MAX_PRODUCT);
    if (v === undefined) continue;
    if (f === 'distro') {
      const d = parseDistro(v);
      if ('problem' in d) problems.push({ field: f, message: d.problem });
      else if (type !== undefined && (type === 'deb' || type === 'rpm') && d.family !== type) problems.push({ field: f, message: `${v} is a ${d.family} distribution, but the asset is a ${type} package` });
      else distro = d.key;
    } else source = v.trim();
  }
  if (problems.length > 0 || !name || !product || !version || !type) return { problems };
  return { asset: { name, type, product, version, exposure, criticality, owner, ...(origin ? { origin } : {}), ...(distro ? { distro } : {}), ...(source ? { source } : {}) } };
}

/** A value quoted for a message, cut short. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? 'a list' : 'a mapping';
}
