/**
 * Linux distribution releases, as the package feeds name them. A deb or rpm package's fixes
 * differ per release (Debian 12 fixes openssh in 1:9.2p1-2+deb12u3, Debian 11 never had the
 * flaw), so a package is matched against its own release's records only:
 *
 *   mamori        OSV ecosystem            Debian tracker   family
 *   debian:12     Debian:12                bookworm         deb
 *   ubuntu:22.04  Ubuntu:22.04:LTS         -                deb
 *   almalinux:9   AlmaLinux:9              -                rpm
 *   rocky:9       Rocky Linux:9            -                rpm
 *   rhel:9        Red Hat:enterprise_linux:9::<stream>      rpm
 *
 * Ubuntu Pro ecosystems (`Ubuntu:Pro:...`) are not read: their fixes need a Pro subscription,
 * and a host without one would be told wrongly that it is fixed.
 */

export type PackageFamily = 'deb' | 'rpm';

export interface Distro {
  /** `debian:12`, `ubuntu:22.04`, `almalinux:9`, `rocky:9`, `rhel:9`. */
  readonly key: string;
  readonly id: string;
  readonly release: string;
  readonly family: PackageFamily;
  /** Debian only: the codename the security tracker uses. */
  readonly codename?: string;
}

export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = { '9': 'stretch', '10': 'buster', '11': 'bullseye', '12': 'bookworm', '13': 'trixie', '14': 'forky' };
const CODENAME_RELEASE = new Map(Object.entries(DEBIAN_CODENAMES).map(([r, c]) => [c, r]));

const IDS: Readonly<Record<string, { family: PackageFamily; release: RegExp; name: string }>> = {
  debian: { family: 'deb', release: /^\d{1,2}$/, name: 'Debian' },
  ubuntu: { family: 'deb', release: /^\d{2}\.\d{2}$/, name: 'Ubuntu' },
  almalinux: { family: 'rpm', release: /^\d{1,2}$/, name: 'AlmaLinux' },
  rocky: { family: 'rpm', release: /^\d{1,2}$/, name: 'Rocky Linux' },
  rhel: { family: 'rpm', release: /^\d{1,2}$/, name: 'Red Hat Enterprise Linux' },
};

const ALIASES: Readonly<Record<string, string>> = { 'rocky linux': 'rocky', rockylinux: 'rocky', 'red hat': 'rhel', redhat: 'rhel', 'red hat enterprise linux': 'rhel', alma: 'almalinux', 'alma linux': 'almalinux' };

export const DISTRO_IDS = Object.keys(IDS);

/** `debian:12`, `Debian 12`, `bookworm`, `ubuntu:22.04`, `AlmaLinux 9.4` (the minor release is dropped for rpm families), or why not. */
export function parseDistro(text: string): Distro | { problem: string } {
  const t = text.trim().toLowerCase();
  const bad = { problem: `${JSON.stringify(text.slice(0, 60))} is not a distribution release mamori knows: write ${DISTRO_IDS.map((i) => `${i}:N`).join(', ')} (debian:12, ubuntu:22.04)` };
  if (t.length > 60) return bad;
  const rel = CODENAME_RELEASE.get(t);
  if (rel) return make('debian', rel);
  const m = /^([a-z][a-z ]{1,30}?)[: ]\s*(\d{1,2}(?:\.\d{1,2})?)$/.exec(t);
  if (!m) return bad;
  const id = ALIASES[m[1]!] ?? m[1]!;
  const spec = IDS[id];
  if (!spec) return bad;
  let release = m[2]!;
  if (spec.family === 'rpm' || id === 'debian') release = release.split('.')[0]!;
  if (!spec.release.test(release)) return bad;
  return make(id, release);
}

function make(id: string, release: string): Distro {
  const spec = IDS[id]!;
  const codename = id === 'debian' ? DEBIAN_CODENAMES[release] : undefined;
  return { key: `${id}:${release}`, id, release, family: spec.family, ...(codename ? { codename } : {}) };
}

export const distroName = (d: Distro): string => `${IDS[d.id]!.name} ${d.release}`;

/** The mamori release an OSV ecosystem is (`Debian:12` → `debian:12`), or null for the ones not read. */
export function osvEcosystemRelease(ecosystem: string): Distro | null {
  let m = /^Debian:(\d{1,2})$/.exec(ecosystem);
  if (m) return make('debian', m[1]!);
  m = /^Ubuntu:(\d{2}\.\d{2})(?::LTS)?$/.exec(ecosystem);
  if (m) return make('ubuntu', m[1]!);
  m = /^AlmaLinux:(\d{1,2})$/.exec(ecosystem);
  if (m) return make('almalinux', m[1]!);
  m = /^Rocky Linux:(\d{1,2})$/.exec(ecosystem);
  if (m) return make('rocky', m[1]!);
  m = /^Red Hat:(?:enterprise_linux|rhel_[a-z_]+):(\d{1,2})(?:[.:][\w.:-]*)?$/.exec(ecosystem);
  if (m) return make('rhel', m[1]!);
  return null;
}

/** Index keys: a package in one release, and a package in any release of a family (for assets whose release is not known). */
export const distKey = (release: string, pkg: string): string => `dist:${release}:${pkg}`;
export const distAnyKey = (family: PackageFamily, pkg: string): string => `distpkg:${family}:${pkg}`;

/**
 * The release /etc/os-release describes (ID, VERSION_ID), or why it cannot be used. The file
 * is read as data: KEY=value lines, values optionally quoted; nothing is expanded.
 */
export function parseOsRelease(text: string, where: string): Distro | { problem: string } {
  const fields = new Map<string, string>();
  for (const line of text.slice(0, 64 * 1024).split('\n')) {
    const m = /^([A-Z_]{1,40})=("([^"\\]*)"|'([^']*)'|([^\s"'`$\\]*))\s*$/.exec(line.trim());
    if (m) fields.set(m[1]!, m[3] ?? m[4] ?? m[5] ?? '');
  }
  const id = fields.get('ID');
  const version = fields.get('VERSION_ID');
  if (!id || !version) return { problem: `${where}: no ID and VERSION_ID${fields.get('VERSION_CODENAME') ? ` (a testing or unstable release, ${fields.get('VERSION_CODENAME')}, has no security support)` : ''}` };
  const d = parseDistro(`${id}:${version}`);
  return 'problem' in d ? { problem: `${where}: ${d.problem}` } : d;
}
