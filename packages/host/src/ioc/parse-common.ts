/**
 * What the three indicator parsers share: collecting results with counted
 * skips, and a bounded JSON reader (size and nesting checked before parsing,
 * the error naming the file and line).
 */
import { MamoriError } from 'mamori/errors';
import { IOC_LIMITS, normalizeIndicator, type IndicatorKind, type ParseResult, type ParsedIndicator, type SkippedIndicator } from './indicator.js';

export class ResultCollector {
  readonly indicators: ParsedIndicator[] = [];
  readonly skipped: SkippedIndicator[] = [];
  readonly skippedByReason: Record<string, number> = {};

  skip(where: string, reason: string): void {
    this.skippedByReason[reason] = (this.skippedByReason[reason] ?? 0) + 1;
    if (this.skipped.length < IOC_LIMITS.maxSkippedKept) this.skipped.push({ where, reason });
  }

  /** Normalises and keeps a value, or counts why not. */
  add(kind: IndicatorKind, raw: string, where: string, extra: Omit<ParsedIndicator, 'kind' | 'value' | 'where'> = {}): void {
    const n = normalizeIndicator(kind, raw);
    if ('error' in n) {
      this.skip(where, `${kind}: ${n.error}`);
      return;
    }
    this.indicators.push({ ...extra, kind: n.kind, value: n.value, where });
  }

  result(): ParseResult {
    return { indicators: this.indicators, skipped: this.skipped, skippedByReason: this.skippedByReason };
  }
}

export function parseError(name: string, message: string, cause?: unknown): MamoriError {
  return new MamoriError('MAMORI_ERR_IOC_PARSE', `${name}: ${message}`, cause === undefined ? {} : { cause });
}

/** Line (1-based) of a character offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * JSON.parse, after checking the size and nesting depth in one pass over the
 * text (strings skipped), so that a hostile file fails with its line, not a
 * stack overflow in whoever walks the result.
 */
export function parseBoundedJson(text: string, name: string, maxDepth: number = IOC_LIMITS.maxJsonDepth): unknown {
  if (text.length > IOC_LIMITS.maxInputBytes) throw parseError(name, `larger than ${IOC_LIMITS.maxInputBytes} bytes`);
  let depth = 0;
  let inString = false;
  let containers = 0;
  let commas = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 44) commas++;
    else if (c === 123 || c === 91) {
      containers++;
      if (++depth > maxDepth) throw parseError(`${name}:${lineOf(text, i)}`, `JSON nested deeper than ${maxDepth} levels`);
    } else if (c === 125 || c === 93) depth--;
  }
  checkJsonDensity(text.length, containers, commas, name);
  try {
    return JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const at = m ? Number(m[1]) : jsonErrorOffset(text);
    const where = at === undefined ? name : `${name}:${lineOf(text, at)}`;
    throw parseError(where, `not valid JSON (${(err as Error).message.replace(/\s+/g, ' ').slice(0, 200)})`, err);
  }
}

/**
 * The memory JSON.parse takes grows with the number of values, not the bytes: `{},` repeated
 * is 3 bytes of text for each object of about 60 bytes of heap, and 64 MiB of it took 2.1 GB and
 * 33 s of CPU. Real feeds are far sparser (measured on STIX bundles and MISP events: an object
 * or array every 95 to 260 bytes, a value every 13 to 17), so a document denser than an object
 * or array every 16 bytes, or a value every 6, past a floor that any small file passes, is
 * refused before it is parsed.
 */
export const JSON_DENSITY = { minBytesPerContainer: 16, minBytesPerValue: 6, floorContainers: 100_000, floorValues: 1_000_000 } as const;

function checkJsonDensity(bytes: number, containers: number, commas: number, name: string): void {
  const d = JSON_DENSITY;
  if (containers > Math.max(d.floorContainers, bytes / d.minBytesPerContainer)) {
    throw parseError(name, `${containers} JSON objects and arrays in ${bytes} bytes: denser than any indicator feed (at most one every ${d.minBytesPerContainer} bytes past ${d.floorContainers}), refused before parsing`);
  }
  if (containers + commas > Math.max(d.floorValues, bytes / d.minBytesPerValue)) {
    throw parseError(name, `${containers + commas} JSON values in ${bytes} bytes: denser than any indicator feed (at most one every ${d.minBytesPerValue} bytes past ${d.floorValues}), refused before parsing`);
  }
}

/** A date (ISO 8601 text or epoch seconds, as MISP writes them) in ms, or undefined. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) return undefined;
  if (/^\d{1,12}$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Where JSON text first goes wrong (Node's messages do not always say): a
 * small syntax checker with an explicit stack, run only after JSON.parse failed.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const stack: number[] = []; // 123 object, 91 array
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): boolean => {
    if (text[i] !== '"') return false;
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 34) {
        i++;
        return true;
      } else if (c < 32) return false;
    }
    return false;
  };
  const scalar = (): boolean => {
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  // value := string | scalar | '{' | '['; after a value: ',' or the container's close.
  for (;;) {
    ws();
    // expecting a value
    if (text[i] === '{' || text[i] === '[') {
      const open = text.charCodeAt(i);
      stack.push(open);
      i++;
      ws();
      if ((open === 123 && text[i] === '}') || (open === 91 && text[i] === ']')) {
        stack.pop();
        i++;
      } else if (open === 123) {
        if (!str()) return i;
        ws();
        if (text[i] !== ':') return i;
        i++;
        continue;
      } else continue;
    } else if (!(text[i] === '"' ? str() : scalar())) return i;
    // after a value
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return i < text.length ? i : undefined;
      if (text[i] === ',') {
        i++;
        if (top === 123) {
          ws();
          if (!str()) return i;
          ws();
          if (text[i] !== ':') return i;
          i++;
        }
        break;
      }
      if ((top === 123 && text[i] === '}') || (top === 91 && text[i] === ']')) {
        stack.pop();
        i++;
        continue;
      }
      return i;
    }
  }
}
