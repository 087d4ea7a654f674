/**
 * A host's installed packages, read without credentials:
 *
 * - Debian: `dpkg-query -W -f '${Package}\t${Version}\t${Status}\t${source:Package}\t${source:Version}\n'`,
 *   or a status file in `/var/lib/dpkg/status` format (another host's, a container image's),
 *   with each package's source package (`Source:`), by which Debian's tracker and OSV's
 *   Debian records know it;
 * - RPM: `rpm -qa --qf '%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{SOURCERPM}\n'` when rpm is there.
 *
 * The programs run with argument arrays (never a shell), a time bound and an output bound.
 */
import { execFile } from 'node:child_process';
import { MamoriError } from 'mamori';
import { Collector, type DiscoverOptions, type Discovery } from './common.js';
import { readBounded } from './files.js';

const MAX_OUTPUT = 64 * 1024 * 1024;
const MAX_STATUS_FILE = 256 * 1024 * 1024;
const TIMEOUT_MS = 120_000;

/** dpkg's package states in which the package's files are on disk. */
const PRESENT = new Set(['installed', 'half-configured', 'unpacked', 'half-installed', 'triggers-awaited', 'triggers-pending']);

export const DPKG_QUERY_FORMAT = '${Package}\\t${Version}\\t${Status}\\t${source:Package}\\t${source:Version}\\n';
export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{SOURCERPM}\\n';

/** dpkg's source fields as the matching reads them: `openssh`, or `openssl (3.0.11-1)` when the source version differs. */
function sourceOf(pkg: string, version: string, source: string | undefined, sourceVersion: string | undefined): string | undefined {
  const m = /^([a-z0-9][a-z0-9.+-]{0,99})(?:\s+\(([^()\s]{1,128})\))?$/.exec((source ?? '').trim());
  if (!m) return undefined;
  const sv = m[2] ?? (sourceVersion && sourceVersion !== version ? sourceVersion : undefined);
  if (m[1] === pkg && !sv) return undefined;
  return sv ? `${m[1]} (${sv})` : m[1];
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(bin, args, { maxBuffer: MAX_OUTPUT, timeout: TIMEOUT_MS, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (err, stdout) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        const why = e.code === 'ENOENT' ? `${bin} is not installed` : e.killed ? `${bin} took longer than ${TIMEOUT_MS / 1000}s or printed more than ${MAX_OUTPUT} bytes` : e.message.split('\n')[0];
        fail(new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${bin} ${args[0]}: ${why}`, { cause: err }));
      } else done(stdout);
    });
  });
}

/** The lines of `dpkg-query -W -f DPKG_QUERY_FORMAT`. */
export function parseDpkgQuery(text: string, origin: string, opts: DiscoverOptions = {}): Discovery {
  const c = new Collector(opts);
  let n = 0;
  for (const line of text.split('\n')) {
    n++;
    if (line === '') continue;
    const parts = line.split('\t');
    const [pkg, version, status, source, sourceVersion] = parts;
    // three fields (older captures), or five with the source package and its version
    if (pkg === undefined || version === undefined || status === undefined || (parts.length !== 3 && parts.length !== 5)) {
      c.unreadable(`${origin} line ${n}: not package, version, status (and source, source version) separated by tabs: skipped`);
      continue;
    }
    if (!PRESENT.has(status.split(' ')[2] ?? '')) continue;
    const src = sourceOf(pkg, version, source, sourceVersion);
    c.add('deb', pkg, pkg, version, origin, src ? { source: src } : {});
  }
  return c.result();
}

export async function discoverDpkg(opts: DiscoverOptions & { bin?: string } = {}): Promise<Discovery> {
  const bin = opts.bin ?? 'dpkg-query';
  return parseDpkgQuery(await run(bin, ['-W', '-f', DPKG_QUERY_FORMAT.replace(/\\t/g, '\t').replace(/\\n/g, '\n')]), 'dpkg-query', opts);
}

/**
 * A dpkg status file: stanzas of `Field: value` lines apart by blank lines, continuation lines
 * starting with a space. Each asset's origin is the file and the stanza's first line.
 */
export function parseDpkgStatus(text: string, file: string, opts: DiscoverOptions = {}): Discovery {
  const c = new Collector(opts);
  let fields = new Map<string, string>();
  let repeated: string | undefined;
  let startLine = 1;
  const flush = (): void => {
    // dpkg refuses a stanza with a field twice; the last Version: would otherwise win unseen.
    if (repeated) c.unreadable(`${file}:${startLine}: ${fields.get('package') ?? 'a stanza'}: the field ${repeated} appears twice: skipped`);
    else if (fields.size > 0) {
      const pkg = fields.get('package');
      const version = fields.get('version');
      const status = fields.get('status');
      if (!pkg) c.unreadable(`${file}:${startLine}: a stanza without Package: skipped`);
      else if (status === undefined || PRESENT.has(status.split(/\s+/)[2] ?? '')) {
        if (!version) c.unreadable(`${file}:${startLine}: ${pkg}: no Version: skipped`);
        else {
          const src = sourceOf(pkg, version, fields.get('source'), undefined);
          c.add('deb', pkg, pkg, version, `${file}:${startLine}`, src ? { source: src } : {});
        }
      }
    }
    fields = new Map();
    repeated = undefined;
  };
  const lines = text.split('\n');
  // dpkg ends every line with a newline: a file that does not was cut short, and its last line
  // (a Version: cut to 3.0.11-1 from 3.0.11-1~deb12u2 reads as a newer version) is not read
  const cut = text.length > 0 && !text.endsWith('\n');
  if (cut) {
    c.unreadable(`${file}:${lines.length}: the file ends inside a line (cut short?): the stanza it ends in is not read`);
    while (lines.length > 0 && lines[lines.length - 1]!.trim() !== '') lines.pop();
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') {
      flush();
      startLine = i + 2;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) continue; // a continuation (Description:)
    const colon = line.indexOf(':');
    if (colon <= 0) {
      c.unreadable(`${file}:${i + 1}: not a Field: value line: skipped`);
      continue;
    }
    const name = line.slice(0, colon).toLowerCase();
    // Only the fields used are kept: a stanza of a million fields costs no memory.
    if (name === 'package' || name === 'version' || name === 'status' || name === 'source') {
      if (fields.has(name)) repeated ??= line.slice(0, colon);
      fields.set(name, line.slice(colon + 1).trim());
    }
    else fields.set('_', '');
  }
  flush();
  return c.result();
}

export function discoverDpkgStatusFile(path: string, opts: DiscoverOptions = {}): Discovery {
  return parseDpkgStatus(readBounded(path, MAX_STATUS_FILE, { whole: true, what: 'dpkg status file' }), path, opts);
}

/** The lines of `rpm -qa --qf RPM_QUERY_FORMAT`: the version as `[epoch:]version-release`. */
export function parseRpmQuery(text: string, origin: string, opts: DiscoverOptions = {}): Discovery {
  const c = new Collector(opts);
  let n = 0;
  for (const line of text.split('\n')) {
    n++;
    if (line === '') continue;
    const parts = line.split('\t');
    const [name, epoch, version, release, srpm] = parts;
    if (name === undefined || epoch === undefined || version === undefined || release === undefined || (parts.length !== 4 && parts.length !== 5)) {
      c.unreadable(`${origin} line ${n}: not name, epoch, version and release separated by tabs: skipped`);
      continue;
    }
    // gpg-pubkey entries are the keys rpm trusts, not software.
    if (name === 'gpg-pubkey') continue;
    const e = epoch === '(none)' || epoch === '' || epoch === '0' ? '' : `${epoch}:`;
    // %{SOURCERPM}: openssh-8.7p1-38.el9.src.rpm: the name is what comes before version-release
    const sm = srpm ? /^(.{1,100})-[^-]{1,64}-[^-]{1,64}\.src\.rpm$/.exec(srpm) : null;
    c.add('rpm', name, name, `${e}${version}-${release}`, origin, sm && sm[1] !== name ? { source: sm[1]! } : {});
  }
  return c.result();
}

export async function discoverRpm(opts: DiscoverOptions & { bin?: string } = {}): Promise<Discovery> {
  const bin = opts.bin ?? 'rpm';
  return parseRpmQuery(await run(bin, ['-qa', '--qf', RPM_QUERY_FORMAT.replace(/\\t/g, '\t').replace(/\\n/g, '\n')]), 'rpm -qa', opts);
}
