/**
 * Reading files that an attacker may have placed: only regular files (a FIFO would block, a
 * device would never end), never through a symbolic link that leads out of the tree being
 * read, and never more than a bound.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readdirSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { MamoriError } from 'mamori';

/** A file's bytes, at most `max` of them; `whole` refuses a larger file instead of cutting it. */
export function readBounded(path: string, max: number, opts: { whole?: boolean; what?: string } = {}): string {
  let fd: number | undefined;
  try {
    // O_NONBLOCK so that opening a FIFO someone left in the tree returns at once (it is then
    // refused as not a regular file); O_NOFOLLOW so that the last component is not a link.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    if (opts.whole && st.size > max) throw new Error(`larger than ${max} bytes`);
    const want = Math.min(max, st.size > 0 ? st.size : max);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, null);
      if (n === 0) break;
      got += n;
    }
    if (opts.whole && got === want && want === max) {
      // The size said it fits; a file growing as we read is cut at the bound, and refused.
      const probe = Buffer.alloc(1);
      if (readSync(fd, probe, 0, 1, null) > 0) throw new Error(`larger than ${max} bytes`);
    }
    return buf.subarray(0, got).toString('utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ELOOP' ? 'a symbolic link (not followed)' : e.code === 'ENOENT' ? 'not found' : e.message;
    throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${path}: ${opts.what ? `the ${opts.what} ` : ''}could not be read: ${why}`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A directory tree read without leaving it: a path is used only when every link on the way
 * resolves inside the tree's root.
 */
export class Tree {
  readonly root: string;
  readonly #real: string;

  constructor(root: string) {
    let real: string;
    try {
      real = realpathSync(root);
      if (!lstatSync(real).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${root}: cannot be read as a directory: ${(err as Error).message}`, { cause: err });
    }
    this.root = root;
    this.#real = real;
  }

  /** The real path of `path` when it stays inside the tree; else why not. */
  inside(path: string): { real: string } | { why: string } {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { why: code === 'ENOENT' ? 'not found' : code === 'ELOOP' ? 'a loop of symbolic links' : (err as Error).message };
    }
    if (real !== this.#real && !real.startsWith(this.#real + sep)) return { why: `a symbolic link out of ${this.root} (to ${real}), not followed` };
    return { real };
  }

  /** The entries of a directory inside the tree (at most `max`, sorted), or undefined when it is not one. */
  list(dir: string, max: number): { names: string[]; more: boolean } | undefined {
    const r = this.inside(dir);
    if (!('real' in r)) return undefined;
    let names: string[];
    try {
      if (!lstatSync(r.real).isDirectory()) return undefined;
      names = readdirSync(r.real);
    } catch {
      return undefined;
    }
    names.sort();
    return { names: names.slice(0, max), more: names.length > max };
  }

  /** Whether `path` (inside the tree) is a directory. */
  isDir(path: string): boolean {
    const r = this.inside(path);
    if (!('real' in r)) return false;
    try {
      return lstatSync(r.real).isDirectory();
    } catch {
      return false;
    }
  }

  /** A file inside the tree, at most `max` bytes; a problem is returned, not thrown. */
  read(path: string, max: number, whole = false): { text: string } | { why: string } {
    const r = this.inside(path);
    if (!('real' in r)) return r;
    try {
      return { text: readBounded(r.real, max, { whole }) };
    } catch (err) {
      return { why: (err as Error).message.replace(`${r.real}: `, '') };
    }
  }
}
