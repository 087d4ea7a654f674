/**
 * Reading feed documents from outside: bounded in bytes before parsing, then in depth and
 * node count before anything walks them, and read field by field with the path of each field,
 * so a bad record is reported where it is (`nvd-api-2.0/CVE-2024-3400.json: configurations[0]
 * .nodes: not a list`) and skipped, never a crash.
 */

import { jsonDepthProblem } from '../inventory/discover/common.js';

export interface JsonLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxNodes: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxBytes: 32 * 1024 * 1024, maxDepth: 64, maxNodes: 2_000_000 };
/** Caps on the lists of one record: a CVE with more is cut there and reported. */
export const MAX_LIST = 5_000;
export const MAX_STRING = 4_096;

/** A record or file that could not be used, and where. */
export interface FeedProblem {
  readonly where: string;
  readonly message: string;
}

export class RecordError extends Error {}

/** Parses `text` as JSON within the limits, or throws a RecordError naming `where`. */
export function parseJson(text: string | Buffer, where: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (size > limits.maxBytes) throw new RecordError(`${where}: ${size} bytes, more than the ${limits.maxBytes} allowed`);
  const str = typeof text === 'string' ? text : text.toString('utf8');
  // JSON.parse builds the whole tree before checkShape can refuse it: millions of nested `[`
  // take seconds each file. A linear scan refuses them first.
  const deep = jsonDepthProblem(str, limits.maxDepth);
  if (deep) throw new RecordError(`${where}: ${deep}`);
  let value: unknown;
  try {
    value = JSON.parse(str);
  } catch (err) {
    throw new RecordError(`${where}: not JSON (${(err as Error).message.slice(0, 200)})`);
  }
  checkShape(value, where, limits);
  return value;
}

/** Depth and node count, walked without recursion. */
export function checkShape(value: unknown, where: string, limits: JsonLimits): void {
  const stack: [unknown, number][] = [[value, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++nodes > limits.maxNodes) throw new RecordError(`${where}: more than ${limits.maxNodes} values`);
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limits.maxDepth) throw new RecordError(`${where}: nested deeper than ${limits.maxDepth}`);
    for (const c of Array.isArray(v) ? v : Object.values(v)) {
      if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
      else if (++nodes > limits.maxNodes) throw new RecordError(`${where}: more than ${limits.maxNodes} values`);
    }
  }
}

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A reader of one record: typed field access that throws RecordError with the field's path. */
export class Reader {
  constructor(readonly where: string) {}
  fail(path: string, message: string): never {
    throw new RecordError(`${this.where}: ${path ? `${path}: ` : ''}${message}`);
  }
  obj(v: unknown, path: string): Obj {
    if (!isObj(v)) this.fail(path, 'not an object');
    return v;
  }
  list(v: unknown, path: string, max = MAX_LIST): readonly unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, 'not a list');
    if (v.length > max) this.fail(path, `more than ${max} entries`);
    return v;
  }
  str(v: unknown, path: string, max = MAX_STRING): string {
    if (typeof v !== 'string') this.fail(path, 'not a string');
    if (v.length > max) this.fail(path, `longer than ${max} characters`);
    return v;
  }
  optStr(v: unknown, path: string, max = MAX_STRING): string | undefined {
    return v === undefined || v === null ? undefined : this.str(v, path, max);
  }
  num(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, 'not a number');
    return v;
  }
  /** A CVSS base score: 0 to 10 (a larger one would put any finding at the top of the plan). */
  score(v: unknown, path: string): number {
    const n = this.num(v, path);
    if (n < 0 || n > 10) this.fail(path, `${n} is not a CVSS score (0 to 10)`);
    return n;
  }
}

/** Keeps only the fields that are set (for exactOptionalPropertyTypes). */
export function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export const CVE_ID = /^CVE-\d{4}-\d{4,8}$/;
