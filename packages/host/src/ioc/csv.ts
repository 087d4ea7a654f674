/**
 * Indicator lists as text: CSV with a header row (RFC 4180 quoting, one record
 * per line), or a plain list of one value per line. In both, blank lines and
 * lines starting with `#` are skipped.
 *
 * CSV: the header names a value column (`value`, `indicator`, `ioc`,
 * `observable`) and may name a type column (`type`, `kind`,
 * `indicator_type`), a note (`note`, `comment`, `description`), a first-seen
 * time (`first_seen`, `firstseen`, `date`) and an expiry (`expires`,
 * `valid_until`). Without a type column, or for a plain list, the type is read
 * from each value (`detectKind`).
 *
 * ```
 * # a plain list
 * 198.51.100.0/24
 * evil.example
 * http://evil.example/gate.php
 * 44d88612fea8a8f36de82e1278abb02f
 * ```
 */
import { tryParseIp } from 'mamori/internal/net';
import { IOC_LIMITS, normalizeDomain, type IndicatorKind, type ParseResult } from './indicator.js';
import { parseError, parseTime, ResultCollector } from './parse-common.js';

const KIND_NAMES: Record<string, IndicatorKind> = {
  md5: 'md5',
  sha1: 'sha1',
  'sha-1': 'sha1',
  sha256: 'sha256',
  'sha-256': 'sha256',
  ip: 'ip',
  ipv4: 'ip',
  ipv6: 'ip',
  'ip-src': 'ip',
  'ip-dst': 'ip',
  'ipv4-addr': 'ip',
  'ipv6-addr': 'ip',
  cidr: 'cidr',
  domain: 'domain',
  'domain-name': 'domain',
  hostname: 'domain',
  fqdn: 'domain',
  url: 'url',
  filename: 'file-name',
  'file-name': 'file-name',
  file_name: 'file-name',
  path: 'file-path',
  filepath: 'file-path',
  'file-path': 'file-path',
  file_path: 'file-path',
};

const VALUE_COLUMNS = ['value', 'indicator', 'ioc', 'observable'];
const TYPE_COLUMNS = ['type', 'kind', 'indicator_type', 'ioc_type'];
const NOTE_COLUMNS = ['note', 'comment', 'description'];
const SEEN_COLUMNS = ['first_seen', 'firstseen', 'first_seen_utc', 'date'];
const EXPIRY_COLUMNS = ['expires', 'valid_until', 'expiry'];

/** Extensions of programs and scripts: a value ending in one is read as a file name, not a domain. */
const PROGRAM_EXTENSIONS = new Set(['exe', 'dll', 'scr', 'bat', 'cmd', 'ps1', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'hta', 'lnk', 'msi', 'php', 'phtml', 'asp', 'aspx', 'jsp', 'jspx', 'jar', 'elf', 'so', 'py', 'pl', 'bin', 'apk', 'docm', 'xlsm']);

/**
 * The kind of a bare value: 32/40/64 hex digits are MD5/SHA-1/SHA-256; an
 * address or CIDR is an ip/cidr; `scheme://` is a URL; `/…` or `C:\…` a path;
 * a name ending in a program extension (`.exe`, `.php`, ...) a file name; a
 * dotted host name a domain; a host name followed by a path a URL.
 */
export function detectKind(value: string): IndicatorKind | undefined {
  const v = value.endsWith('.') ? value.slice(0, -1) : value;
  if (/^[0-9a-fA-F]+$/.test(v)) {
    if (v.length === 32) return 'md5';
    if (v.length === 40) return 'sha1';
    if (v.length === 64) return 'sha256';
  }
  if (tryParseIp(v)) return 'ip';
  if (v.includes('/') && tryParseIp(v.slice(0, v.indexOf('/'))) && /^\d{1,3}$/.test(v.slice(v.indexOf('/') + 1))) return 'cidr';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return 'url';
  if (v.startsWith('/') || /^[a-zA-Z]:\\/.test(v) || v.startsWith('\\\\')) return 'file-path';
  const dot = v.lastIndexOf('.');
  if (dot > 0 && !/[\\/]/.test(v) && PROGRAM_EXTENSIONS.has(v.slice(dot + 1).toLowerCase())) return 'file-name';
  if (v.includes('.') && normalizeDomain(v) !== undefined && /[a-z]/i.test(v.slice(dot + 1))) return 'domain';
  const slash = v.indexOf('/');
  if (slash > 0 && normalizeDomain(v.slice(0, slash)) !== undefined && v.slice(0, slash).includes('.')) return 'url';
  return undefined;
}

/** Splits one CSV record (RFC 4180 quotes, no line breaks inside fields); undefined on an unbalanced quote. */
export function splitCsvLine(line: string, sep = ','): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== sep) return undefined;
    } else {
      const end = line.indexOf(sep, i);
      field = end < 0 ? line.slice(i) : line.slice(i, end);
      i = end < 0 ? line.length : end;
    }
    out.push(field.trim());
    if (i >= line.length) return out;
    i++; // the separator
  }
}

export interface TextListOptions {
  /** Read every value as this kind (a plain list of one kind) instead of detecting it. */
  readonly kind?: IndicatorKind;
}

/** Parses a CSV with a header, or a plain one-per-line list (which of the two is read from the first record). */
export function parseTextList(text: string, name: string, options: TextListOptions = {}): ParseResult {
  if (text.length > IOC_LIMITS.maxInputBytes) throw parseError(name, `larger than ${IOC_LIMITS.maxInputBytes} bytes`);
  const c = new ResultCollector();
  let header: { value: number; type: number; note: number; seen: number; expiry: number; sep: string; width: number } | undefined;
  let first = true;
  let lineNo = 0;
  let at = 0;
  if (text.charCodeAt(0) === 0xfeff) at = 1; // a byte-order mark
  while (at <= text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    lineNo++;
    const where = `${name}:${lineNo}`;
    const tooLong = end - at > IOC_LIMITS.maxLineLength;
    const raw = tooLong ? '' : text.slice(at, end);
    at = end + 1;
    if (tooLong) {
      c.skip(where, `line longer than ${IOC_LIMITS.maxLineLength} characters`);
      continue;
    }
    const line = raw.endsWith('\r') ? raw.slice(0, -1).trim() : raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (first) {
      first = false;
      const sep = line.includes('\t') ? '\t' : line.includes(',') ? ',' : line.includes(';') ? ';' : undefined;
      const cols = sep ? splitCsvLine(line, sep)?.map((h) => h.toLowerCase().replace(/^"|"$/g, '')) : undefined;
      const idx = (names: string[]) => (cols ? cols.findIndex((h) => names.includes(h)) : -1);
      if (cols && idx(VALUE_COLUMNS) >= 0) {
        header = { value: idx(VALUE_COLUMNS), type: idx(TYPE_COLUMNS), note: idx(NOTE_COLUMNS), seen: idx(SEEN_COLUMNS), expiry: idx(EXPIRY_COLUMNS), sep: sep!, width: cols.length };
        continue;
      }
    }
    if (!header) {
      addValue(c, line, options.kind, where, {});
      continue;
    }
    const fields = splitCsvLine(line, header.sep);
    if (!fields) {
      c.skip(where, 'CSV: unbalanced quotes');
      continue;
    }
    const value = fields[header.value];
    if (value === undefined || value === '') {
      c.skip(where, 'CSV: no value in the value column');
      continue;
    }
    let kind = options.kind;
    if (header.type >= 0 && fields[header.type]) {
      const t = fields[header.type]!.toLowerCase();
      kind = KIND_NAMES[t];
      if (!kind) {
        c.skip(where, `CSV: type ${t.slice(0, 40)}`);
        continue;
      }
    }
    const note = header.note >= 0 ? fields[header.note]?.slice(0, 200) || undefined : undefined;
    const firstSeen = header.seen >= 0 ? parseTime(fields[header.seen]) : undefined;
    const expires = header.expiry >= 0 ? parseTime(fields[header.expiry]) : undefined;
    addValue(c, value, kind, where, { note, firstSeen, expires });
  }
  return c.result();
}

function addValue(c: ResultCollector, value: string, kind: IndicatorKind | undefined, where: string, extra: { note?: string | undefined; firstSeen?: number | undefined; expires?: number | undefined }): void {
  // A plain list may carry a comment after the value (`1.2.3.4  # scanner`).
  const hash = value.search(/\s#/);
  const v = (hash > 0 ? value.slice(0, hash) : value).trim();
  const k = kind ?? detectKind(v);
  if (!k) return c.skip(where, 'value of no known kind');
  c.add(k, v, where, extra);
}
