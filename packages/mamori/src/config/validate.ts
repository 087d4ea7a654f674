/**
 * A small JSON Schema interpreter for the subset mamori's own schema uses:
 * type, properties, required, additionalProperties, enum, const, minimum,
 * maximum, minLength, maxLength, pattern, items, minItems, maxItems, minProperties, maxProperties, oneOf,
 * and local `$ref` to `#/$defs/...`. No code generation (no eval).
 * Collects every problem with its JSON path.
 */
export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  enum?: readonly unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  oneOf?: SchemaNode[];
  $ref?: string;
  description?: string;
  default?: unknown;
  [k: string]: unknown;
}

export interface SchemaProblem {
  path: (string | number)[];
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, got: string): boolean {
  return want === got || (want === 'number' && got === 'integer');
}

const MAX_PROBLEMS = 50;

export function validateSchema(root: SchemaNode, value: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const regexCache = new Map<string, RegExp>();
  const resolve = (n: SchemaNode): SchemaNode => {
    if (!n.$ref) return n;
    const name = n.$ref.replace(/^#\/\$defs\//, '');
    const defs = root.$defs as Record<string, SchemaNode> | undefined;
    const target = defs?.[name];
    if (!target) throw new Error(`schema: unknown $ref ${n.$ref}`);
    return target;
  };
  const visit = (node0: SchemaNode, v: unknown, path: (string | number)[], out: SchemaProblem[]): void => {
    if (out.length >= MAX_PROBLEMS) return;
    const node = resolve(node0);
    if (node.oneOf) {
      const fits = node.oneOf.map((alt) => {
        const sub: SchemaProblem[] = [];
        visit(alt, v, path, sub);
        return sub;
      });
      const ok = fits.filter((f) => f.length === 0).length;
      if (ok !== 1) {
        // Report the alternative that came closest.
        const best = fits.reduce((a, b) => (b.length < a.length ? b : a));
        if (ok === 0) out.push(...best.slice(0, 5));
        else out.push({ path, message: 'matches more than one of the allowed forms' });
      }
      return;
    }
    const got = typeOf(v);
    if (node.type) {
      const types = Array.isArray(node.type) ? node.type : [node.type];
      if (!types.some((t) => typeMatches(t, got))) {
        out.push({ path, message: `must be ${types.join(' or ')}, not ${got}` });
        return;
      }
    }
    if (node.const !== undefined && v !== node.const) out.push({ path, message: `must be ${JSON.stringify(node.const)}` });
    if (node.enum && !node.enum.includes(v)) {
      out.push({ path, message: `must be one of ${node.enum.map((e) => JSON.stringify(e)).join(', ')}` });
    }
    if (typeof v === 'number') {
      if (node.minimum !== undefined && v < node.minimum) out.push({ path, message: `must be at least ${node.minimum}` });
      if (node.maximum !== undefined && v > node.maximum) out.push({ path, message: `must be at most ${node.maximum}` });
    }
    if (typeof v === 'string') {
      if (node.minLength !== undefined && v.length < node.minLength) out.push({ path, message: `must be at least ${node.minLength} characters` });
      if (node.maxLength !== undefined && v.length > node.maxLength) out.push({ path, message: `must be at most ${node.maxLength} characters` });
      if (node.pattern) {
        let re = regexCache.get(node.pattern);
        if (!re) regexCache.set(node.pattern, (re = new RegExp(node.pattern, 'u')));
        if (v.length <= 4096 && !re.test(v)) out.push({ path, message: `"${v.slice(0, 60)}" does not have the expected form${node.description ? ` (${node.description})` : ''}` });
      }
    }
    if (Array.isArray(v)) {
      if (node.minItems !== undefined && v.length < node.minItems) out.push({ path, message: `needs at least ${node.minItems} entries` });
      if (node.maxItems !== undefined && v.length > node.maxItems) out.push({ path, message: `allows at most ${node.maxItems} entries` });
      if (node.items) v.slice(0, 10_000).forEach((item, i) => visit(node.items!, item, [...path, i], out));
    }
    if (got === 'object') {
      const obj = v as Record<string, unknown>;
      for (const r of node.required ?? []) if (!(r in obj)) out.push({ path, message: `is missing the required key "${r}"` });
      if (node.minProperties !== undefined && Object.keys(obj).length < node.minProperties) out.push({ path, message: `needs at least ${node.minProperties} key${node.minProperties === 1 ? '' : 's'}` });
      if (node.maxProperties !== undefined && Object.keys(obj).length > node.maxProperties) out.push({ path, message: `allows at most ${node.maxProperties} keys` });
      for (const [k, sub] of Object.entries(obj)) {
        const prop = node.properties?.[k];
        if (prop) visit(prop, sub, [...path, k], out);
        else if (node.additionalProperties === false) {
          const known = Object.keys(node.properties ?? {});
          out.push({ path: [...path, k], message: `unknown key "${k}"${known.length ? `; expected one of: ${known.join(', ')}` : ''}` });
        } else if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, sub, [...path, k], out);
      }
    }
  };
  visit(root, value, [], problems);
  return problems;
}
