/**
 * What a scenario's `group_by` entries may say: a field name (`source.ip`, `user.name`), or
 * `net(FIELD)`: the address in the field, an IPv4 one as it is and an IPv6 one as its /64
 * (`2001:db8:1:2::/64`), since an IPv6 host is given a /64 and may send from any address in
 * it. `net(FIELD, V4, V6)` names other prefix lengths (`net(source.ip, 24, 48)`). A value
 * that is not an address is kept as it is (a host name from `rhost=` still groups).
 *
 * Each entry compiles to a function from an event's fields to the key's part, or undefined
 * when the event lacks the field (the event is then not counted by the scenario).
 */
import { cidrOf, formatCidr, tryParseIp } from 'mamori/internal';
import type { FieldValue } from '../model.js';

/** Most characters of one group value kept in a key. */
export const MAX_KEY_PART = 256;

const FIELD_RE = /^[A-Za-z_@][A-Za-z0-9_.@-]{0,127}$/;
const NET_RE = /^net\(\s*([^,()\s]+)\s*(?:,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*)?\)$/;

export interface GroupPart {
  /** The entry as written. */
  readonly spec: string;
  /** The field it reads; the alert's `group` names the value by it. */
  readonly field: string;
  /** For net(): the prefix lengths. */
  readonly net?: { readonly v4: number; readonly v6: number };
  readonly value: (f: Readonly<Record<string, FieldValue>>) => string | undefined;
}

/** A group_by entry compiled, or a message saying what is wrong with it. */
export function compileGroupPart(spec: string): GroupPart | string {
  const s = spec.trim();
  if (FIELD_RE.test(s)) {
    return {
      spec: s,
      field: s,
      value: (f) => {
        const v = f[s];
        if (v === undefined) return undefined;
        return typeof v === 'string' ? (v.length > MAX_KEY_PART ? v.slice(0, MAX_KEY_PART) : v) : String(v);
      },
    };
  }
  const m = NET_RE.exec(s);
  if (!m) return `"${s.slice(0, 60)}" is neither a field name nor net(FIELD) / net(FIELD, V4, V6)`;
  const field = m[1]!;
  if (!FIELD_RE.test(field)) return `"${field.slice(0, 60)}" is not a field name`;
  const v4 = m[2] === undefined ? 32 : Number(m[2]);
  const v6 = m[3] === undefined ? 64 : Number(m[3]);
  if (v4 < 8 || v4 > 32) return `net(): the IPv4 prefix length is from 8 to 32, not ${v4}`;
  if (v6 < 16 || v6 > 128) return `net(): the IPv6 prefix length is from 16 to 128, not ${v6}`;
  return {
    spec: s,
    field,
    net: { v4, v6 },
    value: (f) => {
      const v = f[field];
      if (v === undefined) return undefined;
      const str = typeof v === 'string' ? v : String(v);
      // An IPv4 address grouped per address (the common case) is the field as it is: no parsing.
      if (v4 === 32 && str.indexOf(':') < 0) return str.length > MAX_KEY_PART ? str.slice(0, MAX_KEY_PART) : str;
      const a = tryParseIp(str);
      if (!a) return str.length > MAX_KEY_PART ? str.slice(0, MAX_KEY_PART) : str;
      const bits = a.version === 4 ? v4 : v6;
      if (bits === (a.version === 4 ? 32 : 128)) return str;
      return formatCidr(cidrOf(a, bits));
    },
  };
}
