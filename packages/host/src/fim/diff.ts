/**
 * A short line diff of a small text file, for reports (the old copy from the baseline, the
 * new from disk): unified-diff lines (` `, `-`, `+`), one line of context, at most `maxLines`
 * lines of at most 200 characters. The common start and end are trimmed first; what is left
 * is aligned by a longest-common-subsequence table when it is small (at most 300 lines a
 * side), else shown as removed-then-added. Control characters are shown as `?`.
 */

/** Text for a diff: at most `limit` bytes of valid UTF-8 with no NUL, else undefined (binary). */
export function asText(data: Uint8Array, limit = 64 << 10): string | undefined {
  if (data.byteLength > limit || data.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

const clean = (s: string): string => {
  const t = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
  return t.length > 200 ? `${t.slice(0, 199)}…` : t;
};

type Op = [' ' | '-' | '+', string];

function align(a: string[], b: string[]): Op[] {
  if (a.length > 300 || b.length > 300) return [...a.map((l): Op => ['-', l]), ...b.map((l): Op => ['+', l])];
  const w = b.length + 1;
  const t = new Uint16Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      t[i * w + j] = a[i] === b[j] ? t[(i + 1) * w + j + 1]! + 1 : Math.max(t[(i + 1) * w + j]!, t[i * w + j + 1]!);
    }
  }
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push([' ', a[i++]!]);
      j++;
    } else if (i < a.length && (j === b.length || t[(i + 1) * w + j]! >= t[i * w + j + 1]!)) out.push(['-', a[i++]!]);
    else out.push(['+', b[j++]!]);
  }
  return out;
}

export function shortDiff(oldText: string, newText: string, maxLines = 40): string {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const ops = align(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf));
  const lines: string[] = [`@@ -${pre + 1} +${pre + 1} @@`];
  if (pre > 0) lines.push(`  ${clean(a[pre - 1]!)}`);
  let shown = 0;
  for (const [op, text] of ops) {
    if (shown >= maxLines) {
      lines.push(`… ${ops.length - shown} more lines`);
      break;
    }
    lines.push(`${op} ${clean(text)}`);
    shown++;
  }
  if (suf > 0 && shown < maxLines) lines.push(`  ${clean(a[a.length - suf]!)}`);
  return lines.join('\n');
}
