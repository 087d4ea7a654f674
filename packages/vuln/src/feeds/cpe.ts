/**
 * CPE 2.3 formatted strings (`cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*`): eleven
 * attributes after the prefix, `\` escaping a separator. Bounded in length; anything else
 * is refused with the reason.
 */

export interface Cpe {
  readonly part: string;
  readonly vendor: string;
  readonly product: string;
  readonly version: string;
  readonly update: string;
  readonly edition: string;
  readonly language: string;
  readonly swEdition: string;
  readonly targetSw: string;
  readonly targetHw: string;
  readonly other: string;
}

const NAMES = ['part', 'vendor', 'product', 'version', 'update', 'edition', 'language', 'swEdition', 'targetSw', 'targetHw', 'other'] as const;

export function parseCpe(text: string): Cpe | { problem: string } {
  if (text.length > 512) return { problem: 'a CPE longer than 512 characters' };
  if (!text.startsWith('cpe:2.3:')) return { problem: `${JSON.stringify(text.slice(0, 80))} is not a CPE 2.3 name` };
  const fields: string[] = [];
  let cur = '';
  for (let i = 8; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      cur += text[++i]!;
    } else if (c === ':') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  fields.push(cur);
  if (fields.length !== 11) return { problem: `${JSON.stringify(text.slice(0, 80))}: ${fields.length} attributes, not 11` };
  const o: Record<string, string> = {};
  NAMES.forEach((n, i) => (o[n] = fields[i]!.toLowerCase()));
  if (!['a', 'o', 'h'].includes(o.part!)) return { problem: `${JSON.stringify(text.slice(0, 80))}: part ${o.part} is not a, o or h` };
  return o as unknown as Cpe;
}

/** The index key of a CPE's product: `cpe:fortinet:fortios`. */
export const cpeKey = (vendor: string, product: string) => `cpe:${vendor.toLowerCase()}:${product.toLowerCase()}`;
