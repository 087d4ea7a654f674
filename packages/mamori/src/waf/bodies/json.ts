/**
 * application/json for the WAF: every scalar of the document as an argument (ARGS_POST), named
 * by its path from `json` (`json.user.name`, `json.items.0.id`), valued as text (strings as their
 * UTF-8 bytes, numbers as written in the document after JSON.parse, true, false, and null as an
 * empty value). What two JSON readers could read differently is flagged: a key twice in one
 * object (JSON.parse keeps the last, others the first): mamori refuses it (docs/waf.md).
 */
import { duplicateJsonKey, jsonDepth } from '../../core/json.js';

export interface JsonArgs {
  readonly args: readonly (readonly [name: string, value: string])[];
  /** Why the body is not JSON mamori reads (REQBODY_ERROR), or undefined. */
  readonly error: string | undefined;
  /** A key that appears twice in one object. */
  readonly duplicateKey: string | undefined;
  /** More scalars than `maxArgs`: the rest were not read. */
  readonly truncated: boolean;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

/** `body`: the request body (a byte string). */
export function parseJsonArgs(body: string, maxArgs = 10_000, maxDepth = 512): JsonArgs {
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(body, 'latin1'));
  } catch {
    return { args: [], error: 'JSON: the body is not UTF-8', duplicateKey: undefined, truncated: false };
  }
  if (jsonDepth(text) > maxDepth) return { args: [], error: `JSON: nested deeper than ${maxDepth}`, duplicateKey: undefined, truncated: false };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { args: [], error: `JSON: ${(err as Error).message.slice(0, 200)}`, duplicateKey: undefined, truncated: false };
  }
  const args: [string, string][] = [];
  let truncated = false;
  // Iterative, so that depth costs no stack: [name, value] pairs still to visit, in document order.
  const todo: [string, unknown][] = [['json', doc]];
  while (todo.length > 0) {
    const [name, v] = todo.pop()!;
    if (v !== null && typeof v === 'object') {
      const entries = Array.isArray(v) ? v.map((x, i) => [`${name}.${i}`, x] as [string, unknown]) : Object.entries(v).map(([k, x]) => [`${name}.${bytes(k)}`, x] as [string, unknown]);
      for (let i = entries.length - 1; i >= 0; i--) todo.push(entries[i]!);
      continue;
    }
    if (args.length >= maxArgs) {
      truncated = true;
      break;
    }
    args.push([name, v === null ? '' : typeof v === 'string' ? bytes(v) : String(v)]);
  }
  return { args, error: undefined, duplicateKey: duplicateJsonKey(text), truncated };
}
