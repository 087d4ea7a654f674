import { MamoriError } from 'mamori';
import { ASSET_DEFAULTS, ASSET_TYPES, CRITICALITIES, checkAsset, loadInventoryFile, type Asset } from '@mamori/vuln';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { table } from '../render.js';
import { failed, json, openDb, out } from './vuln-common.js';

export const help = `Usage:
  mamori vuln asset add NAME --type TYPE --product PRODUCT --version VERSION
                        [--exposure internet|internal] [--criticality C] [--owner WHO] [--replace]
  mamori vuln asset add --file INVENTORY.yaml [--replace]
  mamori vuln asset list [--type TYPE] [--json]
  mamori vuln asset remove NAME... [--json]

The inventory of mamori vuln, kept in <dataDir>/vuln.db: appliances, WordPress
sites, plugins and themes, npm, Debian and RPM packages, each with a product and
version as the device or package prints them, an exposure, a criticality and an
owner. \`add --file\` reads an inventory YAML file (docs/vuln.md): every problem is
listed with its file:line:column and nothing is added until the file is clean.
An asset already there is refused unless --replace. \`mamori vuln discover\` finds
assets on its own.

Types: ${ASSET_TYPES.join(', ')}. Criticality: ${CRITICALITIES.join(', ')}.
Defaults: exposure ${ASSET_DEFAULTS.exposure}, criticality ${ASSET_DEFAULTS.criticality}, owner ${ASSET_DEFAULTS.owner}.
Common options: --config FILE.
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
} as const;

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, OPTIONS, help);
    const [sub, ...rest] = positionals;
    if (sub !== 'add' && sub !== 'list' && sub !== 'remove') throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected add, list or remove\n\n${help}`);
    const config = readConfig(values.config);
    const db = openDb(config);
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
        const removed = db.removeAssets(rest);
        if (values.json) json({ removed, missing });
        else out(`Removed ${removed} asset${removed === 1 ? '' : 's'}.${missing.length ? ` Not in the inventory: ${missing.join(', ')}.` : ''}\n`);
        return missing.length ? 1 : 0;
      }
      // add
      let assets: Asset[];
      if (values.file) {
        if (rest.length || values.type || values.product || values.version) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--file reads every field from the file: give no NAME, --type, --product or --version with it');
        assets = loadInventoryFile(values.file);
      } else {
        const r = checkAsset({
          name: rest[0],
          type: values.type,
          product: values.product,
          version: values.version,
          ...(values.exposure !== undefined ? { exposure: values.exposure } : {}),
          ...(values.criticality !== undefined ? { criticality: values.criticality } : {}),
          ...(values.owner !== undefined ? { owner: values.owner } : {}),
          origin: 'mamori vuln asset add',
        });
        if (rest.length > 1) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'add one asset at a time (or --file)');
        if (r.problems) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${r.problems.map((p) => (p.field === 'name' ? `NAME: ${p.message}` : `--${p.field}: ${p.message}`)).join('; ')}\n\n${help}`);
        assets = [r.asset];
      }
      if (!values.replace) {
        const there = assets.filter((a) => db.asset(a.name)).map((a) => a.name);
        if (there.length) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `already in the inventory: ${there.slice(0, 10).join(', ')}${there.length > 10 ? ` and ${there.length - 10} more` : ''} (--replace to change them)`);
      }
      const r = db.putAssets(assets, Date.now());
      if (values.json) json({ ...r, assets: assets.map((a) => a.name) });
      else out(`${r.added} added, ${r.updated} changed, ${r.unchanged} unchanged in ${db.path}.\n`);
      return 0;
    } finally {
      db.close();
    }
  } catch (err) {
    return failed(err);
  }
}
