import { readFileSync, statSync } from 'node:fs';
import { stringify } from 'yaml';
import { MamoriError } from 'mamori';
import {
  ASSET_DEFAULTS,
  CRITICALITIES,
  discoverCycloneDx,
  discoverDpkg,
  discoverDpkgStatusFile,
  discoverNpm,
  discoverRpm,
  discoverWordPress,
  parseDistro,
  parseExposure,
  parseOsRelease,
  type Criticality,
  type DiscoverOptions,
  type Discovery,
} from '@mamori/vuln';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { table } from '../render.js';
import { deadlines, failed, json, openDb, out, saveInventory, sendEvents, type InventoryChange } from './vuln-common.js';

export const help = `Usage:
  mamori vuln discover wordpress DIR [--site NAME]   core, plugins and themes of an install
  mamori vuln discover dpkg [--status FILE]          Debian packages (dpkg-query, or a status file)
  mamori vuln discover rpm                           RPM packages (rpm -qa)
  mamori vuln discover npm PATH                      package-lock.json (v1-v3), pnpm-lock.yaml, yarn.lock
  mamori vuln discover sbom FILE                     a CycloneDX SBOM (JSON), components with a purl

Finds assets without credentials and without running anything it reads: the
WordPress files are parsed, never executed; links out of the tree are not
followed. Each asset carries its origin (the file and the entry). Notes say
what was skipped or guessed (a readme's Stable tag used for a plugin's version).

  --prefix P            put before each asset's name (web-01/)
  --exposure E          internet (default) or internal, for every asset found
  --criticality C       ${CRITICALITIES.join(', ')} (default ${ASSET_DEFAULTS.criticality})
  --owner WHO           (default ${ASSET_DEFAULTS.owner})
  --save                add them to the inventory (<dataDir>/vuln.db), replacing same-named ones
  --sync                with --save: the inventory's assets of this kind (same types, same
                        --prefix) that this discovery no longer finds are removed, and their
                        findings closed (asset-removed; they reopen if the asset comes back)
  --distro ID:RELEASE   dpkg, rpm: the distribution release (debian:12, almalinux:9), when
                        /etc/os-release is not this host's (a --status file of another host)
  --os-release FILE     dpkg, rpm: read the release from FILE instead of /etc/os-release
  --yaml                print an inventory file (mamori vuln asset add --file reads it back)
  --json                print assets and notes as JSON
Common options: --config FILE.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  yaml: { type: 'boolean' },
  save: { type: 'boolean' },
  site: { type: 'string' },
  status: { type: 'string' },
  prefix: { type: 'string' },
  exposure: { type: 'string' },
  criticality: { type: 'string' },
  owner: { type: 'string' },
  sync: { type: 'boolean' },
  distro: { type: 'string' },
  'os-release': { type: 'string' },
  'no-events': { type: 'boolean' },
} as const;

/**
 * The names (after the --prefix) each kind of discovery gives: `openssl`, `lodash@4.17.21`,
 * `@babel/core@7.0.0`, `akismet`, `themes/twentytwenty`, `deb/openssl@3.0.11-1` (an SBOM's).
 * --sync removes only names of these shapes, never another prefix's (`web-02/openssl`): a
 * discovery run without --prefix (or with `dc1/`) would otherwise take every other host's assets
 * (`web-01/...`, `dc1/web-01/...`) for its own and remove them.
 */
const OWN_NAME: Readonly<Record<string, RegExp>> = {
  dpkg: /^[^/]+$/,
  rpm: /^[^/]+$/,
  npm: /^(@[^/]+\/)?[^/]+$/,
  wordpress: /^(themes\/)?[^/]+$/,
  sbom: /^((deb|rpm|wordpress-plugin|wordpress-theme)\/|@[^/]+\/)?[^/]+$/,
};

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, OPTIONS, help);
    const [kind, path, ...extra] = positionals;
    if (extra.length) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `one path at a time\n\n${help}`);
    const opts: { -readonly [K in keyof DiscoverOptions]: DiscoverOptions[K] } = {};
    if (values.prefix !== undefined) {
      if (values.prefix.length > 100 || /[\u0000-\u001f]/.test(values.prefix)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--prefix is at most 100 printable characters');
      opts.prefix = values.prefix;
    }
    if (values.exposure !== undefined) {
      const e = parseExposure(values.exposure);
      if (!e) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--exposure is internet (or internet-facing) or internal');
      opts.exposure = e;
    }
    if (values.criticality !== undefined) {
      if (!(CRITICALITIES as readonly string[]).includes(values.criticality)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--criticality is one of ${CRITICALITIES.join(', ')}`);
      opts.criticality = values.criticality as Criticality;
    }
    if (values.owner !== undefined) {
      if (values.owner === '' || values.owner.length > 200 || /[\u0000-\u001f]/.test(values.owner)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--owner is 1 to 200 printable characters');
      opts.owner = values.owner;
    }
    if (values.site !== undefined && (values.site === '' || values.site.length > 100 || /[\u0000-\u001f\u007f-\u009f]/.test(values.site))) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--site is 1 to 100 printable characters');
    const need = (what: string): string => {
      if (!path) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `give the ${what}\n\n${help}`);
      return path;
    };
    // deb and rpm packages: the distribution release, without which their advisories stay unknown
    const releaseNotes: string[] = [];
    if (values.distro !== undefined || values['os-release'] !== undefined) {
      if (kind !== 'dpkg' && kind !== 'rpm') throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--distro and --os-release go with dpkg and rpm');
    }
    if (kind === 'dpkg' || kind === 'rpm') {
      if (values.distro !== undefined) {
        const r = parseDistro(values.distro);
        if ('problem' in r) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--distro: ${r.problem}`);
        if (r.family !== (kind === 'dpkg' ? 'deb' : 'rpm')) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--distro: ${values.distro} is a ${r.family} distribution`);
        opts.distro = r.key;
      } else if (values['os-release'] !== undefined || !values.status) {
        // a status file is another host's or an image's: this host's /etc/os-release says nothing of it
        const file = values['os-release'] ?? '/etc/os-release';
        let text: string | undefined;
        try {
          const st = statSync(file);
          if (!st.isFile() || st.size > 64 * 1024) throw new Error('not a regular file of at most 64 KiB');
          text = readFileSync(file, 'utf8');
        } catch (err) {
          if (values['os-release'] !== undefined) throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${file}: ${(err as Error).message}`, { cause: err });
          releaseNotes.push(`${file}: not read (${(err as Error).message}): the packages' release is not known, so their advisories stay unknown (--distro)`);
        }
        if (text !== undefined) {
          const r = parseOsRelease(text, file);
          if ('problem' in r) releaseNotes.push(`${r.problem}: the packages' release is not known, so their advisories stay unknown (--distro)`);
          else if (r.family !== (kind === 'dpkg' ? 'deb' : 'rpm')) releaseNotes.push(`${file} describes ${r.key}, a ${r.family} distribution: not used for ${kind} packages (--distro)`);
          else opts.distro = r.key;
        }
      } else releaseNotes.push(`${values.status}: the release of the host this status file comes from is not known: give --distro (debian:12) or --os-release FILE, else the packages' advisories stay unknown`);
    }
    let d: Discovery;
    if (kind === 'wordpress') d = discoverWordPress(need('WordPress directory'), { ...opts, ...(values.site ? { site: values.site } : {}) });
    else if (kind === 'dpkg') d = values.status ? discoverDpkgStatusFile(values.status, opts) : await discoverDpkg(opts);
    else if (kind === 'rpm') d = await discoverRpm(opts);
    else if (kind === 'npm') d = discoverNpm(need('lock file or project directory'), opts);
    else if (kind === 'sbom') d = discoverCycloneDx(need('SBOM file'), opts);
    else throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected wordpress, dpkg, rpm, npm or sbom\n\n${help}`);
    if (releaseNotes.length) d = { assets: d.assets, notes: [...releaseNotes, ...d.notes] };

    let saved: InventoryChange | undefined;
    if (values.sync && !values.save) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--sync goes with --save');
    // --sync removes what this discovery did not find: a read that found nothing, or that met
    // entries it could not read (a status file cut short, garbage), must not empty the inventory
    if (values.sync && d.assets.length === 0) throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `--sync: this discovery found no ${kind} assets, so it would remove every one the inventory has; nothing saved or removed (mamori vuln asset remove takes assets out on purpose)${d.notes.length ? `; notes: ${d.notes.slice(0, 3).join('; ')}` : ''}`);
    if (values.sync && d.unread) throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `--sync: ${d.unread} entr${d.unread === 1 ? 'y' : 'ies'} could not be read, and the packages they stand for may be installed: nothing saved or removed (run without --sync to save what was read): ${d.notes.slice(0, 3).join('; ')}`);
    if (values.save) {
      const config = readConfig(values.config);
      const db = openDb(config);
      const types = new Set(kind === 'wordpress' ? ['wordpress', 'wordpress-plugin', 'wordpress-theme'] : kind === 'sbom' ? ['npm', 'deb', 'rpm', 'wordpress-plugin', 'wordpress-theme'] : [kind === 'dpkg' ? 'deb' : kind]);
      // a WordPress site's assets are named after the site (blog/wordpress, blog/akismet): only that site's are in scope
      const core = kind === 'wordpress' ? d.assets.find((a) => a.type === 'wordpress')?.name : undefined;
      if (values.sync && kind === 'wordpress' && core === undefined) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--sync: no WordPress core found, so the site whose assets it would replace is not known');
      const prefix = core !== undefined ? core.slice(0, core.lastIndexOf('/') + 1) : (values.prefix ?? '');
      try {
        saved = saveInventory(db, d.assets, {
          now: Date.now(),
          deadlines: deadlines(db, undefined),
          ...(values.sync ? { sync: { scope: (a) => types.has(a.type) && a.name.startsWith(prefix) && (OWN_NAME[kind]?.test(a.name.slice(prefix.length)) ?? false), why: `mamori vuln discover ${kind} --sync no longer found it` } } : {}),
        });
      } finally {
        db.close();
      }
      if (!values['no-events']) await sendEvents(config, saved.events);
    }
    const savedCounts = saved ? { added: saved.added, updated: saved.updated, unchanged: saved.unchanged, removed: saved.removed, closedFindings: saved.closed, returnedFindings: saved.returned } : undefined;
    if (values.json) json({ assets: d.assets, notes: d.notes, ...(savedCounts ? { saved: savedCounts } : {}) });
    else if (values.yaml) {
      // Origins are left out: an inventory file's assets take theirs from the file's lines.
      out(d.assets.length ? stringify({ assets: d.assets.map(({ origin: _origin, ...a }) => a) }, { lineWidth: 0 }) : 'assets: []\n');
      for (const n of d.notes) process.stderr.write(`note: ${n}\n`);
    } else {
      out(d.assets.length ? table(['NAME', 'TYPE', 'PRODUCT', 'VERSION', 'ORIGIN'], d.assets.map((a) => [a.name, a.type, a.product, a.version, a.origin ?? '']), 80) : 'No assets found.\n');
      for (const n of d.notes) out(`note: ${n}\n`);
      out(`${d.assets.length} asset${d.assets.length === 1 ? '' : 's'} found${saved ? `; inventory: ${saved.added} added, ${saved.updated} changed, ${saved.unchanged} unchanged${values.sync ? `, ${saved.removed.length} removed` : ''}` : ' (--save adds them to the inventory)'}.\n`);
      if (saved?.closed) out(`${saved.closed} finding${saved.closed === 1 ? '' : 's'} closed: their asset left the inventory (asset-removed).\n`);
      if (saved?.returned) out(`${saved.returned} finding${saved.returned === 1 ? '' : 's'} back: their asset is in the inventory again.\n`);
    }
    return 0;
  } catch (err) {
    return failed(err);
  }
}
