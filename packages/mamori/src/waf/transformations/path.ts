/**
 * t:normalizePath and t:normalizePathWin: a path as a file system would resolve it, against
 * traversal hidden in `//`, `/./` and `/x/../`: runs of `/` become one, `.` segments go, `..`
 * takes back the segment before it (at the root of an absolute path it goes; at the start of
 * a relative one it stays), and a trailing `/` stays. normalizePathWin first makes every `\`
 * a `/`.
 *
 *   SecRule REQUEST_FILENAME "@rx /etc/passwd" "t:normalizePathWin"
 */
import type { Transformation } from './bytes.js';

export const normalizePath: Transformation = (input) => {
  if (input.length === 0) return input;
  const absolute = input.charCodeAt(0) === 47;
  const parts = input.split('/');
  const last = parts[parts.length - 1];
  const trailing = parts.length > 1 && (last === '' || last === '.' || last === '..');
  const kept: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (kept.length > 0 && kept[kept.length - 1] !== '..') kept.pop();
      else if (!absolute) kept.push('..');
      continue;
    }
    kept.push(p);
  }
  const body = kept.join('/');
  return (absolute ? '/' : '') + body + (trailing && body !== '' ? '/' : '');
};

export const normalizePathWin: Transformation = (input) => normalizePath(input.replaceAll('\\', '/'));
