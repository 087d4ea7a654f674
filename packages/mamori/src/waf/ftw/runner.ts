/**
 * Runs go-ftw test cases in process: each stage's bytes are read as a server reads them (a
 * request it would refuse answers 400 and reaches no rule), put through a transaction's five
 * phases (the backend's answer is the stage's `response`, or an empty 200), and the rules that
 * logged are compared with what the stage expects.
 */
import type { MatchedRule, Transaction } from '../engine/transaction.js';
import { parseRawRequest } from '../request/raw.js';
import type { WafRequest } from '../request/request.js';
import { requestBytes, type FtwResponse, type FtwStage, type FtwTest } from './ftw.js';

export type FtwOutcome = 'passed' | 'failed' | 'skipped';

export interface FtwResult {
  readonly test: FtwTest;
  readonly outcome: FtwOutcome;
  /** Why it failed or was skipped. */
  readonly reason?: string;
}

export interface StageRun {
  /** 400 for a request the server refuses; 200, or the interruption's status, otherwise. */
  readonly status: number;
  readonly logged: readonly MatchedRule[];
  readonly log: string;
}

const CONTROL_ESCAPES: Readonly<Record<string, string>> = { '\b': '\\b', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/**
 * One log line per logged match, in ModSecurity's bracketed form (`[id "942100"] [msg "..."]`),
 * each field escaped as ModSecurity escapes its log: `"` and `\` with a backslash, line ends and
 * tabs as `\r` `\n` `\t`, any other byte outside printable ASCII as `\xHH` (so a value with a
 * line break stays on its line, as CRS's 932300 tests expect).
 */
export function logLine(m: MatchedRule): string {
  const q = (s: string) =>
    s.replace(/["\\\x00-\x1f\x7f-\xff]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : (CONTROL_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)));
  const tags = m.tags.map((t) => ` [tag "${q(t)}"]`).join('');
  return `Warning. Matched at ${m.matchedName}. [id "${m.id}"] [msg "${q(m.msg)}"] [data "${q(m.logData)}"]${m.severity !== undefined ? ` [severity "${m.severity}"]` : ''}${tags}`;
}

export function runStage(stage: FtwStage, open: (req: WafRequest) => Transaction): StageRun {
  const parsed = parseRawRequest(requestBytes(stage.input), { remoteAddr: '127.0.0.1', remotePort: 40000, serverAddr: '127.0.0.1', serverPort: stage.input.port });
  if (!parsed.request) return { status: 400, logged: [], log: `request refused: ${parsed.problem}` };
  const tx = open(parsed.request);
  let stop = tx.processRequestHeaders() ?? tx.processRequestBody();
  if (!stop) {
    const r = stage.input.response ?? reflected(parsed.request);
    const headers = r?.headers.map((h) => [h.name, h.value] as const) ?? [['Content-Type', 'text/html']];
    stop = tx.processResponseHeaders(r?.status ?? 200, 'HTTP/1.1', headers);
    if (!stop) stop = tx.processResponseBody(tx.wantsResponseBody() ? (r?.body ?? '') : undefined);
  }
  tx.processLogging();
  const logged = tx.matched.filter((m) => m.logged && m.id > 0);
  return { status: stop ? stop.status : 200, logged, log: logged.map(logLine).join('\n') };
}

/**
 * The answer of go-ftw's test backend to `/reflect`: the status, headers and body the request's
 * JSON body asks for (`body`, or `encodedBody` in Base64). undefined for any other request.
 */
function reflected(req: WafRequest): FtwResponse | undefined {
  if (!req.uri.startsWith('/reflect') || !req.body) return undefined;
  let spec: unknown;
  try {
    spec = JSON.parse(req.body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof spec !== 'object' || spec === null) return undefined;
  const o = spec as Record<string, unknown>;
  const headers = typeof o.headers === 'object' && o.headers !== null ? Object.entries(o.headers as Record<string, unknown>).map(([name, value]) => ({ name, value: String(value) })) : [];
  if (!headers.some((h) => h.name.toLowerCase() === 'content-type')) headers.push({ name: 'Content-Type', value: 'text/plain' });
  const body = typeof o.body === 'string' ? Buffer.from(o.body, 'utf8').toString('latin1') : typeof o.encodedBody === 'string' ? Buffer.from(o.encodedBody, 'base64').toString('latin1') : '';
  return { status: typeof o.status === 'number' ? o.status : 200, headers, body };
}

/** Whether a stage's run meets what its output expects; the reason when not. */
export function checkStage(stage: FtwStage, run: StageRun): string | undefined {
  const o = stage.output;
  const ids = new Set(run.logged.map((m) => m.id));
  const missing = o.expectIds.filter((id) => !ids.has(id));
  if (missing.length) return `expected ${missing.join(', ')} in the log; logged ${[...ids].join(', ') || 'nothing'}`;
  const unwanted = o.noExpectIds.filter((id) => ids.has(id));
  if (unwanted.length) return `did not expect ${unwanted.join(', ')} in the log`;
  if (o.matchRegex !== undefined && !new RegExp(o.matchRegex).test(run.log)) return `the log does not match ${o.matchRegex}`;
  if (o.noMatchRegex !== undefined && new RegExp(o.noMatchRegex).test(run.log)) return `the log matches ${o.noMatchRegex}`;
  if (o.logContains !== undefined && !run.log.includes(o.logContains)) return `the log does not contain ${o.logContains}`;
  if (o.noLogContains !== undefined && run.log.includes(o.noLogContains)) return `the log contains ${o.noLogContains}`;
  if (o.status !== undefined && o.status !== run.status) return `expected status ${o.status}, got ${run.status}`;
  return undefined;
}

/**
 * Runs tests; `skip` says why a test is not run (an override), or undefined. A stage that
 * expects an error (expect_error) or a response body check cannot be judged in process: skipped.
 */
export function runFtwTests(tests: readonly FtwTest[], open: (req: WafRequest) => Transaction, skip: (t: FtwTest) => string | undefined = () => undefined): FtwResult[] {
  const out: FtwResult[] = [];
  for (const t of tests) {
    const why = skip(t);
    if (why !== undefined) {
      out.push({ test: t, outcome: 'skipped', reason: why });
      continue;
    }
    if (t.stages.some((s) => s.output.expectError || s.output.responseContains !== undefined)) {
      out.push({ test: t, outcome: 'skipped', reason: 'checks a connection error or the response body: only over HTTP' });
      continue;
    }
    let failure: string | undefined;
    for (const [i, s] of t.stages.entries()) {
      let reason: string | undefined;
      try {
        reason = checkStage(s, runStage(s, open));
      } catch (err) {
        reason = `threw: ${(err as Error).message}`;
      }
      if (reason) {
        failure = t.stages.length > 1 ? `stage ${i + 1}: ${reason}` : reason;
        break;
      }
    }
    out.push(failure ? { test: t, outcome: 'failed', reason: failure } : { test: t, outcome: 'passed' });
  }
  return out;
}
