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
