/**
 * Reading Sigma rule files: bounded in size and count, every YAML document of a
 * file kept with the means to turn a path inside it (`detection.selection.x`)
 * back into a line number, so a problem names `file:line`.
 *
 * Rule files come from anywhere (a cloned rule repository, a colleague's folder),
 * so they are treated as hostile: a file over MAX_FILE_BYTES is refused unread,
 * alias expansion is capped (the "billion laughs" bomb), nesting deeper than
 * MAX_DEPTH is refused before it reaches a recursive walk, and the parser's own
 * errors come back as problems, never as exceptions.
 */
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar, type Document } from 'yaml';
import { MamoriError } from 'mamori';

export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_FILES = 20_000;
export const MAX_DOCUMENTS_PER_FILE = 500;
export const MAX_DEPTH = 32;
/** Aliases a document may expand; real rules use none. */
export const MAX_ALIASES = 50;
const MAX_DIR_DEPTH = 16;

/** One YAML document of a rule file, as plain data, with where it came from. */
export interface RuleDocument {
  readonly file: string;
  /** 0-based index of the document in its file. */
  readonly index: number;
  /** 1-based line where the document starts. */
  readonly line: number;
  readonly data: unknown;
  /** The 1-based line of a path inside the document (map keys, list indexes), or the document's line. */
  lineOf(path: readonly (string | number)[]): number;
}

/** Something in a rule folder mamori cannot use, with where and why. */
export interface SigmaProblem {
  /** The file, relative to the folder it was loaded from. */
  readonly file: string;
  readonly line?: number;
  /** The rule's title or id, when the document got far enough to have one. */
  readonly rule?: string;
  /** Short, stable, for grouping: `unknown modifier`, `unsupported logsource`, ... */
  readonly reason: string;
  /** The whole story: which modifier, which field, which logsource. */
  readonly detail: string;
}

export interface ParsedFile {
  readonly documents: RuleDocument[];
  readonly problems: SigmaProblem[];
}

/** Parses the text of one rule file (any number of YAML documents). */
export function parseRuleText(text: string, file: string): ParsedFile {
  const problems: SigmaProblem[] = [];
  const documents: RuleDocument[] = [];
  const lc = new LineCounter();
  const lineAt = (offset: number) => lc.linePos(offset).line;
  // A cheap depth check before the parser: flow collections and block indentation
  // both nest, and the yaml package's toJS walks recursively.
  const depthProblem = nestingProblem(text);
  if (depthProblem) {
    problems.push({ file, line: depthProblem.line, reason: 'malformed YAML', detail: `nested deeper than ${MAX_DEPTH} levels` });
    return { documents, problems };
  }
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    problems.push({ file, reason: 'malformed YAML', detail: `cannot be parsed: ${(err as Error).message.slice(0, 200)}` });
    return { documents, problems };
  }
  if (docs.length > MAX_DOCUMENTS_PER_FILE) {
    problems.push({ file, reason: 'malformed YAML', detail: `holds ${docs.length} YAML documents, more than ${MAX_DOCUMENTS_PER_FILE}` });
    return { documents, problems };
  }
  docs.forEach((doc, index) => {
    const line = lineAt((doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? doc.range[0]);
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      problems.push({ file, line: lineAt(e.pos[0]), reason: 'malformed YAML', detail: firstLine(e.message) });
      return;
    }
    if (doc.contents === null) return; // an empty document, e.g. after a trailing `---`
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (err) {
      const msg = (err as Error).message;
      const reason = /alias/i.test(msg) ? `too many alias expansions (more than ${MAX_ALIASES})` : firstLine(msg);
      problems.push({ file, line, reason: 'malformed YAML', detail: reason });
      return;
    }
    if (data === null || data === undefined) return; // an empty document, e.g. after a trailing `---`
    documents.push({ file, index, line, data, lineOf: (path) => locate(doc, path, lineAt) ?? line });
  });
  return { documents, problems };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}

/** The line of the deepest node of `path` that exists (a map key's own line, so a problem points at the key). */
function locate(doc: Document.Parsed, path: readonly (string | number)[], lineAt: (o: number) => number): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = undefined;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      const key = pair.key as { range?: [number, number, number] };
      if (key.range) best = lineAt(key.range[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      if (item.range) best = lineAt(item.range[0]);
      node = item;
    } else break;
  }
  return best;
}

/**
 * The first line where brackets or indentation nest deeper than MAX_DEPTH, or
 * undefined. Approximate on purpose (it does not parse strings), and generous:
 * real Sigma rules nest five or six levels.
 */
function nestingProblem(text: string): { line: number } | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (c === 32 || c === 45) {
        // spaces and block-sequence dashes both add a level
        indent++;
        continue;
      }
      lineStart = false;
      // Two columns a level is the narrowest indentation a rule can use.
      if (indent / 2 > MAX_DEPTH * 2) return { line };
    }
    if (c === 91 || c === 123) {
      if (++depth > MAX_DEPTH) return { line };
    } else if (c === 93 || c === 125) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** Reads one file (bounded) and parses it. */
export function readRuleFile(path: string, shownAs: string): ParsedFile {
  let size: number;
  try {
    size = lstatSync(path).size;
  } catch (err) {
    return { documents: [], problems: [{ file: shownAs, reason: 'unreadable file', detail: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` }] };
  }
  if (size > MAX_FILE_BYTES) {
    return { documents: [], problems: [{ file: shownAs, reason: 'file too large', detail: `${size} bytes, more than ${MAX_FILE_BYTES}` }] };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { documents: [], problems: [{ file: shownAs, reason: 'unreadable file', detail: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` }] };
  }
  return parseRuleText(text, shownAs);
}

/**
 * The `.yml` / `.yaml` files under a folder (or the one file given), sorted so
 * that loading is deterministic. Symbolic links are not followed (a link can
 * loop or lead out of the folder); they are reported.
 */
export function listRuleFiles(root: string): { files: { path: string; shownAs: string }[]; problems: SigmaProblem[] } {
  const files: { path: string; shownAs: string }[] = [];
  const problems: SigmaProblem[] = [];
  let st;
  try {
    st = lstatSync(root);
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_SIGMA_RULES', `${root}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  if (st.isFile()) return { files: [{ path: root, shownAs: root }], problems };
  if (!st.isDirectory()) throw new MamoriError('MAMORI_ERR_SIGMA_RULES', `${root}: not a file or a folder`);
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      problems.push({ file: relative(root, dir) || '.', reason: 'unreadable file', detail: `folder cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      const shownAs = relative(root, p);
      let s;
      try {
        s = lstatSync(p);
      } catch {
        continue;
      }
      if (s.isSymbolicLink()) {
        if (/\.ya?ml$/i.test(name) || !name.includes('.')) problems.push({ file: shownAs, reason: 'symbolic link', detail: 'a symbolic link, not followed' });
      } else if (s.isDirectory()) {
        if (depth >= MAX_DIR_DEPTH) problems.push({ file: shownAs, reason: 'folder too deep', detail: `more than ${MAX_DIR_DEPTH} folders deep, not read` });
        else walk(p, depth + 1);
      } else if (s.isFile() && /\.ya?ml$/i.test(name)) {
        if (files.length >= MAX_FILES) {
          if (files.length === MAX_FILES) problems.push({ file: shownAs, reason: 'too many files', detail: `more than ${MAX_FILES} rule files; the rest are not read` });
          files.push({ path: '', shownAs: '' });
          continue;
        }
        files.push({ path: p, shownAs });
      }
    }
  };
  walk(root, 0);
  return { files: files.filter((f) => f.path !== ''), problems };
}
