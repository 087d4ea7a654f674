/**
 * Reading an indicator file or feed body: the format (STIX, MISP, CSV/plain),
 * given or told from the content, and the size limit checked before reading.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MamoriError } from 'mamori/errors';
import { IOC_LIMITS, type ParseResult } from './indicator.js';
import { parseTextList } from './csv.js';
import { parseMisp } from './misp.js';
import { parseStix } from './stix.js';
import type { IocFormat } from './store.js';

export const IOC_FORMATS: readonly IocFormat[] = ['stix', 'misp', 'csv', 'auto'];

/** The format of a text: JSON with a bundle or STIX objects is STIX, JSON with `Event` or `response` is MISP, else a CSV or plain list. */
export function detectFormat(text: string): 'stix' | 'misp' | 'csv' {
  const head = text.slice(0, 4096).trimStart();
  if (head.startsWith('{') || head.startsWith('[')) {
    if (/"type"\s*:\s*"(bundle|indicator)"/.test(head) || /"spec_version"\s*:\s*"2\./.test(head)) return 'stix';
    if (/"(Event|response)"\s*:/.test(head)) return 'misp';
    // Large JSON whose telling key comes later: look further, still bounded.
    const more = text.slice(0, 1024 * 1024);
    if (/"type"\s*:\s*"bundle"/.test(more)) return 'stix';
    if (/"Event"\s*:/.test(more)) return 'misp';
    return 'stix';
  }
  return 'csv';
}

export function parseIndicators(text: string, name: string, format: IocFormat = 'auto'): ParseResult & { format: 'stix' | 'misp' | 'csv' } {
  const f = format === 'auto' ? detectFormat(text) : format;
  const r = f === 'stix' ? parseStix(text, name) : f === 'misp' ? parseMisp(text, name) : parseTextList(text, name);
  return { ...r, format: f };
}

/** Reads a file as UTF-8, refusing one larger than the limit before reading it. */
export function readIndicatorFile(path: string, maxBytes: number = IOC_LIMITS.maxInputBytes): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_IOC_PARSE', `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new MamoriError('MAMORI_ERR_IOC_PARSE', `${path}: not a regular file`);
    if (st.size > maxBytes) throw new MamoriError('MAMORI_ERR_IOC_PARSE', `${path}: ${st.size} bytes, more than the ${maxBytes} allowed`);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
