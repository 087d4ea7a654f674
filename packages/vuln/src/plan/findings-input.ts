/**
 * Findings as `mamori vuln check --json` prints them: one JSON object a line (a JSON array of
 * them is read too). Each is checked field by field with bounds; a bad line is an error naming
 * the line, never a crash. Fields this version does not know are dropped.
 */
import { MamoriError } from 'mamori';
import type { CvssScore, Finding, FindingStatus, SourceRef } from '../model.js';
import { jsonDepthProblem } from '../inventory/discover/common.js';

export const MAX_FINDINGS = 100_000;
export const MAX_LINE = 1024 * 1024;
export const MAX_FINDINGS_BYTES = 256 * 1024 * 1024;

const STATUSES: readonly FindingStatus[] = ['affected', 'not_affected', 'unknown'];
/** A CVE id, or another advisory id (GHSA-..., JVNDB-...) for a finding that has no CVE. */
const ID = /^[A-Z][A-Z0-9]{1,15}-[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;
// No control characters at all (a newline in a reason would forge a line of the plan's output).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Bad extends Error {}

function str(o: Obj, k: string, max: number, optional = false): string | undefined {
  const v = o[k];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v === '') throw new Bad(`${k} must be non-empty text`);
  if (v.length > max) throw new Bad(`${k} is longer than ${max} characters`);
  if (CONTROL.test(v)) throw new Bad(`${k} holds a control character`);
  return v;
}

function num(o: Obj, k: string, lo: number, hi: number): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw new Bad(`${k} must be a number from ${lo} to ${hi}`);
  return v;
}

function date(o: Obj, k: string, optional = false): string | undefined {
  const v = str(o, k, 40, optional);
  if (v !== undefined && !DATE.test(v)) throw new Bad(`${k} must be a date (YYYY-MM-DD)`);
  return v?.slice(0, 10);
}

/** One finding checked; throws a message for the caller to place. */
export function checkFinding(v: unknown): Finding {
  if (!isObj(v)) throw new Bad('a finding is a JSON object');
  const cve = str(v, 'cve', 80)!;
  if (!ID.test(cve)) throw new Bad(`cve ${JSON.stringify(cve.slice(0, 40))} is not a CVE id (CVE-2024-21887) or an advisory id`);
  const status = v.status as FindingStatus;
  if (!STATUSES.includes(status)) throw new Bad(`status must be one of ${STATUSES.join(', ')}`);
  if (!Array.isArray(v.sources) && v.sources !== undefined) throw new Bad('sources must be a list');
  const rawSources = (v.sources ?? []) as unknown[];
  if (rawSources.length > 100) throw new Bad('more than 100 sources');
  const sources: SourceRef[] = rawSources.map((s, i) => {
    if (!isObj(s)) throw new Bad(`sources[${i}] is not an object`);
    const path = str(s, 'path', 500, true);
    return { feed: str(s, 'feed', 40)!, id: str(s, 'id', 200)!, ...(path ? { path } : {}) };
  });
  let kev: Finding['kev'];
  if (v.kev !== undefined && v.kev !== null) {
    if (!isObj(v.kev)) throw new Bad('kev is not an object');
    const k = v.kev;
    if (k.ransomware !== undefined && typeof k.ransomware !== 'boolean') throw new Bad('kev.ransomware must be true or false');
    kev = { dateAdded: date(k, 'dateAdded')!, dueDate: date(k, 'dueDate')!, ...(k.ransomware === true ? { ransomware: true } : {}) };
  }
  let ipa: { title: string; link: string; date?: string }[] | undefined;
  if (v.ipa !== undefined && v.ipa !== null) {
    if (!Array.isArray(v.ipa) || v.ipa.length > 20) throw new Bad('ipa must be a list of at most 20 alerts');
    ipa = v.ipa.map((a: unknown, i: number) => {
      if (!isObj(a)) throw new Bad(`ipa[${i}] is not an object`);
      const link = str(a, 'link', 200)!;
      if (!/^https?:\/\//.test(link)) throw new Bad(`ipa[${i}].link must be an http(s) address`);
      const d = str(a, 'date', 40, true);
      return { title: str(a, 'title', 500)!, link, ...(d ? { date: d } : {}) };
    });
  }
  let epss: Finding['epss'];
  if (v.epss !== undefined && v.epss !== null) {
    if (!isObj(v.epss)) throw new Bad('epss is not an object');
    const d = date(v.epss, 'date', true);
    epss = { probability: num(v.epss, 'probability', 0, 1), percentile: num(v.epss, 'percentile', 0, 1), ...(d ? { date: d } : {}) };
  }
  let cvss: CvssScore[] | undefined;
  if (v.cvss !== undefined && v.cvss !== null) {
    if (!Array.isArray(v.cvss) || v.cvss.length > 20) throw new Bad('cvss must be a list of at most 20 scores');
    cvss = v.cvss.map((s: unknown, i: number) => {
      if (!isObj(s)) throw new Bad(`cvss[${i}] is not an object`);
      const by = str(s, 'by', 200, true);
      const version = str(s, 'version', 8)!;
      if (!/^[234]\.\d$/.test(version)) throw new Bad(`cvss[${i}].version must be 2.0, 3.0, 3.1 or 4.0`);
      return { version, baseScore: num(s, 'baseScore', 0, 10), vector: str(s, 'vector', 300)!, ...(by ? { by } : {}) };
    });
  }
  // Matching's evidence (what each feed's record said), kept as given when it is well formed,
  // so that the stored finding still says where its status came from.
  let evidence: { status: FindingStatus; reason: string; source: SourceRef }[] | undefined;
  if (v.evidence !== undefined && v.evidence !== null) {
    if (!Array.isArray(v.evidence) || v.evidence.length > 50) throw new Bad('evidence must be a list of at most 50 statements');
    evidence = v.evidence.map((e: unknown, i: number) => {
      if (!isObj(e) || !isObj(e.source)) throw new Bad(`evidence[${i}] is not a statement with a source`);
      const st = e.status as FindingStatus;
      if (!STATUSES.includes(st)) throw new Bad(`evidence[${i}].status must be one of ${STATUSES.join(', ')}`);
      const path = str(e.source, 'path', 500, true);
      return { status: st, reason: str(e, 'reason', 4000)!, source: { feed: str(e.source, 'feed', 40)!, id: str(e.source, 'id', 200)!, ...(path ? { path } : {}) } };
    });
  }
  const published = date(v, 'published', true);
  const title = str(v, 'title', 1000, true);
  return {
    asset: str(v, 'asset', 200)!,
    product: str(v, 'product', 200)!,
    version: str(v, 'version', 128)!,
    cve,
    status,
    reason: str(v, 'reason', 4000)!,
    sources,
    ...(kev ? { kev } : {}),
    ...(ipa ? { ipa } : {}),
    ...(epss ? { epss } : {}),
    ...(cvss ? { cvss } : {}),
    ...(published ? { published } : {}),
    ...(title ? { title } : {}),
    ...(evidence ? { evidence } : {}),
  };
}

function parses(line: string): boolean {
  if (line.length > MAX_LINE) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * The last line of `mamori vuln check --json`: what the check covered. Its presence says the
 * check ran to its end; `plan --complete` needs it, so that a check that failed (an empty
 * pipe) or was cut short never marks the findings it did not print as fixed.
 */
export interface CheckSummary {
  readonly assets: number;
  readonly pairs: number;
}

export const checkSummaryLine = (s: CheckSummary & Record<string, number>): string => JSON.stringify({ check: 'done', ...s });

function summaryOf(v: unknown): CheckSummary | undefined {
  if (!isObj(v) || v.check !== 'done' || 'cve' in v) return undefined;
  const n = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  return n(v.assets) && n(v.pairs) ? { assets: v.assets as number, pairs: v.pairs as number } : undefined;
}

/** Findings and, when the input is a whole check's output, its summary line (the last line). */
export function parseCheckOutput(text: string, name: string): { findings: Finding[]; summary?: CheckSummary } {
  let summary: CheckSummary | undefined;
  let last = -1;
  let count = 0;
  const findings = parseFindingsWith(text, name, (v, lineNo) => {
    const s = summaryOf(v);
    if (!s) return false;
    summary = s;
    last = lineNo;
    count++;
    return true;
  });
  // only as the last line, and once: a summary followed by more findings is two outputs joined
  const lines = text.trimEnd().split('\n').length;
  if (summary && (count > 1 || last !== lines)) throw new MamoriError('MAMORI_ERR_VULN_FINDINGS', `${name}:${last}: a check's summary line that is not the last line: more than one check's output?`);
  return summary ? { findings, summary } : { findings };
}

/** JSON lines (or one JSON array) of findings; `name` is where they came from, for messages. A check's summary line is passed over. */
export function parseFindings(text: string, name: string): Finding[] {
  return parseFindingsWith(text, name, (v) => summaryOf(v) !== undefined);
}

function parseFindingsWith(text: string, name: string, other: (v: unknown, lineNo: number) => boolean): Finding[] {
  const fail = (where: string, why: string, cause?: unknown): never => {
    throw new MamoriError('MAMORI_ERR_VULN_FINDINGS', `${where}: ${why}`, { cause });
  };
  if (text.length > MAX_FINDINGS_BYTES) fail(name, `larger than ${MAX_FINDINGS_BYTES} bytes`);
  const out: Finding[] = [];
  const trimmed = text.trimStart();
  // One JSON document across lines: a list of findings, an object holding them
  // (`{ "findings": [...] }`) or one finding; anything else is read as JSON lines.
  const firstLine = trimmed.slice(0, Math.max(0, trimmed.indexOf('\n'))) || trimmed;
  const wholeDocument = trimmed.startsWith('[') || (trimmed.startsWith('{') && !parses(firstLine));
  if (wholeDocument) {
    const deep = jsonDepthProblem(trimmed, 16);
    if (deep) fail(name, deep);
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (err) {
      fail(name, `not valid JSON: ${(err as Error).message.slice(0, 200)}`, err);
    }
    const list = Array.isArray(doc) ? doc : isObj(doc) && Array.isArray(doc.findings) ? doc.findings : isObj(doc) && 'cve' in doc ? [doc] : undefined;
    if (!list) return fail(name, 'not a list of findings (JSON lines, a JSON list, or an object with "findings": [...])');
    if (list.length > MAX_FINDINGS) fail(name, `more than ${MAX_FINDINGS} findings`);
    list.forEach((v, i) => {
      try {
        out.push(checkFinding(v));
      } catch (err) {
        fail(`${name}: finding ${i + 1}`, (err as Error).message, err);
      }
    });
    return out;
  }
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    const where = `${name}:${lineNo}`;
    if (line.length > MAX_LINE) fail(where, `a line longer than ${MAX_LINE} bytes`);
    if (out.length >= MAX_FINDINGS) fail(where, `more than ${MAX_FINDINGS} findings`);
    const deep = jsonDepthProblem(line, 16);
    if (deep) fail(where, deep);
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      fail(where, `not valid JSON: ${(err as Error).message.slice(0, 200)}`, err);
    }
    if (other(v, lineNo)) continue;
    try {
      out.push(checkFinding(v));
    } catch (err) {
      if (!(err instanceof Bad)) throw err;
      fail(where, err.message, err);
    }
  }
  return out;
}
