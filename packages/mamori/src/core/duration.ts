import { MamoriError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `30s`, `15m`, `2h`, `7d` (or a number of milliseconds). */
export function parseDuration(input: string | number, where = 'duration'): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
  } else {
    const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(input.trim());
    if (m) return Number(m[1]) * UNITS[m[2]!]!;
  }
  throw new MamoriError('MAMORI_ERR_CONFIG_DURATION', `${where}: "${String(input).slice(0, 40)}" is not a duration; use a number with ms, s, m, h or d (for example 15m)`);
}

export function formatDuration(ms: number): string {
  for (const [u, f] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= f && ms % f === 0) return `${ms / f}${u}`;
  }
  return `${ms}ms`;
}
