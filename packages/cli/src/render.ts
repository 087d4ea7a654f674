import { hostname, userInfo } from 'node:os';
/** Plain-text tables for terminals; cells are cut and stripped of control characters. */
export function table(head: string[], rows: (string | number | undefined)[][], maxCell = 60): string {
  const clean = (v: string | number | undefined) => {
    const s = String(v ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
    return s.length > maxCell ? `${s.slice(0, maxCell - 1)}…` : s;
  };
  const cells = [head, ...rows.map((r) => r.map(clean))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** The DETECT column of the events and decisions tables: "yes" for what detect mode recorded. */
export function detectMark(detectOnly: boolean | undefined): string {
  return detectOnly === true ? 'yes' : '';
}

/** Time left, in its largest whole unit or two (1h 59m, 3m 20s, 45s): one form for every row. */
export function remaining(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return sec > 0 ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

/**
 * Text an operator gave, as it is stored and shown: control characters (and the line and paragraph
 * separators) written as \uXXXX, at most `max` characters, a cut marked with an ellipsis.
 */
export function printable(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const shown = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}

/** Who runs an operator's command, for the record: --by when given, else the (sudo) user at this host; printable. */
export function operatorName(by: string | undefined): string {
  if (by) return printable(by, 200);
  let name = process.env.SUDO_USER;
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = `uid ${process.getuid?.() ?? '?'}`;
    }
  }
  return `${name}@${hostname()}`;
}
