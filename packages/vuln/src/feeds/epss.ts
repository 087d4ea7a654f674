/**
 * FIRST's EPSS daily scores: a CSV (`cve,epss,percentile`) after a comment line with the
 * model version and score date, usually gzipped. Rows are checked one by one; a bad row is
 * reported with its line number and skipped.
 */
import { CVE_ID, type FeedProblem } from './json.js';

export interface EpssRow {
  readonly cve: string;
  readonly probability: number;
  readonly percentile: number;
}

export const MAX_EPSS_ROWS = 2_000_000;

export function readEpss(text: string, where: string): { date?: string; model?: string; rows: EpssRow[]; problems: FeedProblem[] } {
  const rows: EpssRow[] = [];
  const problems: FeedProblem[] = [];
  let date: string | undefined;
  let model: string | undefined;
  let line = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, Math.min(end, start + 200)).replace(/\r$/, '');
    start = end + 1;
    line++;
    if (raw.startsWith('#')) {
      for (const part of raw.slice(1).split(',')) {
        const [k, v] = part.split(':', 2).map((s) => s.trim());
        if (k === 'score_date' && v) date = part.slice(part.indexOf(':') + 1).trim().slice(0, 10);
        if (k === 'model_version' && v) model = v.slice(0, 40);
      }
      continue;
    }
    if (raw === '' || raw.startsWith('cve,')) continue;
    if (rows.length >= MAX_EPSS_ROWS) {
      problems.push({ where: `${where}:${line}`, message: `more than ${MAX_EPSS_ROWS} rows; the rest is not read` });
      break;
    }
    const f = raw.split(',');
    const p = Number(f[1]);
    const q = Number(f[2]);
    if (f.length !== 3 || !CVE_ID.test(f[0]!) || !(p >= 0 && p <= 1) || !(q >= 0 && q <= 1)) {
      problems.push({ where: `${where}:${line}`, message: `not a row of cve,epss,percentile: ${JSON.stringify(raw.slice(0, 80))}` });
      continue;
    }
    rows.push({ cve: f[0]!, probability: p, percentile: q });
  }
  return { ...(date ? { date } : {}), ...(model ? { model } : {}), rows, problems };
}
