/**
 * Checks for the sections of mamori.yaml that @mamori/detect reads itself (`watch:`,
 * `alerts:`): each problem is a MAMORI_ERR_CONFIG_INVALID naming its key path,
 * `watch.inputs[2].syslog.port: must be a whole number from 1 to 65535`.
 */
import { MamoriError } from 'mamori';

export type Raw = Record<string, unknown>;

export function bad(path: string, what: string): never {
  throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${path}: ${what}`);
}

export function obj(v: unknown, path: string, allowed: readonly string[]): Raw {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(path, 'must be a mapping');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) bad(`${path}.${k.slice(0, 40)}`, `unknown key (known: ${allowed.join(', ')})`);
  return v as Raw;
}

export function str(v: unknown, path: string, max = 1024): string {
  if (typeof v !== 'string' || v.length === 0) bad(path, 'must be a non-empty string');
  if (v.length > max) bad(path, `must be at most ${max} characters`);
  if (/[\u0000-\u001f\u007f]/.test(v)) bad(path, 'must not hold control characters');
  return v;
}

export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(path, `must be a whole number from ${min} to ${max}`);
  return v;
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') bad(path, 'must be true or false');
  return v;
}

export function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) bad(path, `must be one of ${options.join(', ')}`);
  return v as T;
}

