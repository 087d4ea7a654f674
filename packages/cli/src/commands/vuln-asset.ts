import { MamoriError } from 'mamori';
import { ASSET_DEFAULTS, ASSET_TYPES, CRITICALITIES, checkAsset, loadInventoryFile, type Asset } from '@mamori/vuln';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { table } from '../render.js';
import { deadlines, failed, json, openDb, out, saveInventory, sendEvents, who, type InventoryChange } from './vuln-common.js';
import { closeRemovedAssets, type VulnEvent } from '@mamori/vuln';

export const help = `Usage:
  mamori vuln asset add NAME --type TYPE --product PRODUCT --version VERSION
                        [--exposure internet|internal] [--criticality C] [--owner WHO] [--replace]
                        [--distro debian:12] [--source SRCPKG]
  mamori vuln asset add --file INVENTORY.yaml [--replace] [--sync]
  mamori vuln asset list [--type TYPE] [--json]
  mamori vuln asset remove NAME... [--json]

The inventory of mamori vuln, kept in <dataDir>/vuln.db: appliances, WordPress
sites, plugins and themes, npm, Debian and RPM packages, each with a product and
version as the device or package prints them, an exposure, a criticality and an
owner. \`add --file\` reads an inventory YAML file (docs/vuln.md): every problem is
listed with its file:line:column and nothing is added until the file is clean.
An asset already there is refused unless --replace. \`mamori vuln discover\` finds
assets on its own. --sync says the file is the whole inventory: assets it no
longer has are removed. The findings of a removed asset leave the plan (closed:
asset-removed, event vuln-finding-closed); they reopen if the asset comes back.
deb and rpm packages need their distribution release (--distro debian:12,
ubuntu:22.04, almalinux:9, rocky:9, rhel:9) for their advisories to be decided.

Types: ${ASSET_TYPES.join(', ')}. Criticality: ${CRITICALITIES.join(', ')}.
Defaults: exposure ${ASSET_DEFAULTS.exposure}, criticality ${ASSET_DEFAULTS.criticality}, owner ${ASSET_DEFAULTS.owner}.
Common options: --config FILE, --no-events.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  file: { type: 'string' },
  type: { type: 'string' },
  product: { type: 'string' },
  version: { type: 'string' },
  exposure: { type: 'string' },
  criticality: { type: 'string' },
  owner: { type: 'string' },
  replace: { type: 'boolean' },
  sync: { type: 'boolean' },
  distro: { type: 'string' },
  source: { type: 'string' },
  'no-events': { type: 'boolean' },
} as const;

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, OPTIONS, help);
    const [sub, ...rest] = positionals;
    if (sub !== 'add' && sub !== 'list' && sub !== 'remove') throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected add, list or remove\n\n${help}`);
    const config = readConfig(values.config);
    const db = openDb(config);
    const events: VulnEvent[] = [];
    try {
      if (sub === 'list') {
        if (values.type !== undefined && !(ASSET_TYPES as readonly string[]).includes(values.type)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--type is one of ${ASSET_TYPES.join(', ')}`);
        let list = db.assets();
        if (values.type) list = list.filter((a) => a.type === values.type);
        if (values.json) json(list);
        else if (list.length === 0) out(`No assets in ${db.path}.\n`);
        else out(table(['NAME', 'TYPE', 'PRODUCT', 'VERSION', 'EXPOSURE', 'CRITICALITY', 'OWNER'], list.map((a) => [a.name, a.type, a.product, a.version, a.exposure, a.criticality, a.owner ?? ''])));
        return 0;
      }
      if (sub === 'remove') {
        if (rest.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `name the assets to remove\n\n${help}`);
        const missing = rest.filter((n) => !db.asset(n));
        const present = rest.filter((n) => !missing.includes(n));
        const now = Date.now();
        const removed = db.transaction(() => {
          const n = db.removeAssets(present);
          events.push(...closeRemovedAssets(db, present, { now, who: who(undefined), why: `removed from the inventory (mamori vuln asset remove)` }));
          return n;
        });
        const closed = events.length;
        if (values.json) json({ removed, missing, closedFindings: closed });
        else out(`Removed ${removed} asset${removed === 1 ? '' : 's'}${closed ? `; ${closed} finding${closed === 1 ? '' : 's'} closed (asset-removed; they reopen if the asset comes back)` : ''}.${missing.length ? ` Not in the inventory: ${missing.join(', ')}.` : ''}\n`);
        if (!values['no-events']) await sendEvents(config, events);
        return missing.length ? 1 : 0;
      }
      // add
      let assets: Asset[];
      if (values.file) {
        if (rest.length || values.type || values.product || values.version || values.distro || values.source) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--file reads every field from the file: give no NAME, --type, --product, --version, --distro or --source with it');
        assets = loadInventoryFile(values.file);
        if (values.sync && assets.length === 0) throw new MamoriError('MAMORI_ERR_VULN_INVENTORY', `--sync: ${values.file} has no assets, so every asset would be removed and its findings closed; nothing changed (an empty or cut file is more often a mistake: mamori vuln asset remove takes assets out on purpose)`);
      } else {
        const r = checkAsset({
          name: rest[0],
          type: values.type,
          product: values.product,
          version: values.version,
          ...(values.exposure !== undefined ? { exposure: values.exposure } : {}),
          ...(values.criticality !== undefined ? { criticality: values.criticality } : {}),
          ...(values.owner !== undefined ? { owner: values.owner } : {}),
          ...(values.distro !== undefined ? { distro: values.distro } : {}),
          ...(values.source !== undefined ? { source: values.source } : {}),
          origin: 'mamori vuln asset add',
        });
        if (rest.length > 1) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'add one asset at a time (or --file)');
        if (values.sync) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--sync goes with --file: the file is the whole inventory');
        if (r.problems) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${r.problems.map((p) => (p.field === 'name' ? `NAME: ${p.message}` : `--${p.field}: ${p.message}`)).join('; ')}\n\n${help}`);
        assets = [r.asset];
      }
      if (!values.replace) {
        const there = assets.filter((a) => db.asset(a.name)).map((a) => a.name);
        if (there.length) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `already in the inventory: ${there.slice(0, 10).join(', ')}${there.length > 10 ? ` and ${there.length - 10} more` : ''} (--replace to change them)`);
      }
      const r: InventoryChange = saveInventory(db, assets, { now: Date.now(), deadlines: deadlines(db, undefined), ...(values.sync ? { sync: { scope: () => true, why: `not in ${values.file} (mamori vuln asset add --file --sync)` } } : {}) });
      events.push(...r.events);
      if (values.json) json({ added: r.added, updated: r.updated, unchanged: r.unchanged, removed: r.removed, closedFindings: r.closed, returnedFindings: r.returned, assets: assets.map((a) => a.name) });
      else {
        out(`${r.added} added, ${r.updated} changed, ${r.unchanged} unchanged${values.sync ? `, ${r.removed.length} removed` : ''} in ${db.path}.\n`);
        if (r.closed) out(`${r.closed} finding${r.closed === 1 ? '' : 's'} closed: their asset left the inventory (asset-removed).\n`);
        if (r.returned) out(`${r.returned} finding${r.returned === 1 ? '' : 's'} back: their asset is in the inventory again.\n`);
      }
      if (!values['no-events']) await sendEvents(config, events);
      return 0;
    } finally {
      db.close();
    }
  } catch (err) {
    return failed(err);
  }
}
