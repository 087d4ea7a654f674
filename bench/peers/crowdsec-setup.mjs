#!/usr/bin/env node
/**
 * Builds the CrowdSec config dir bench/peers/crowdsec.mjs replays with, offline, outside the
 * repository (see crowdsec-setup.md): the items of the hub collections named (default: the ones
 * Debian enables, crowdsecurity/linux, /sshd, /nginx, their sub-collections, and the whitelists
 * parser), resolved through the hub's .index.json, copied flat (stage/name.yaml, no vendor folder,
 * as CrowdSec 1.4 wants them), with the data files they name, the grok patterns and the hub
 * itself (CrowdSec 1.4 will not start without its index).
 *
 * Sources, all local: --hub (default Debian's offline hub, /usr/share/crowdsec/hub), --patterns
 * (default /etc/crowdsec/patterns), --data DIR... (default /usr/share/crowdsec/data; give more dirs
 * for data files Debian does not ship). A data file found in none of them leaves its scenario out,
 * and the run says which (--strict: fail instead).
 *
 *   node bench/peers/crowdsec-setup.mjs [--out /var/cache/mamori-bench/crowdsec/config]
 *       [--collections crowdsecurity/linux,crowdsecurity/sshd,crowdsecurity/nginx] [--data DIR]...
 *       [--hub DIR] [--patterns DIR] [--strict]
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG } from './crowdsec.mjs';

/** Every item the collections pull in, by kind, through the index (collections nest). */
export function resolveItems(index, collections, extraParsers = []) {
  const out = { parsers: new Set(extraParsers), scenarios: new Set(), postoverflows: new Set(), collections: new Set() };
  const visit = (name) => {
    if (out.collections.has(name)) return;
    const c = index.collections?.[name];
    if (!c) throw new Error(`collection ${name} is not in the hub index`);
    out.collections.add(name);
    for (const kind of ['parsers', 'scenarios', 'postoverflows']) for (const n of c[kind] ?? []) out[kind].add(n);
    for (const n of c.collections ?? []) visit(n);
  };
  for (const c of collections) visit(c);
  return out;
}

/** The data files an item's YAML names: [{ dest, source }] (`data:` blocks, `dest_file` / `source_url`). */
export function dataFilesOf(yamlText) {
  const found = [];
  let cur;
  for (const line of yamlText.split('\n')) {
    const s = /^\s*-?\s*source_url:\s*["']?([^"'\s]+)/.exec(line);
    const d = /^\s*-?\s*dest_file:\s*["']?([^"'\s]+)/.exec(line);
    if (s) {
      if (cur?.source !== undefined || !cur) found.push((cur = {}));
      cur.source = s[1];
    }
    if (d) {
      if (cur?.dest !== undefined || !cur) found.push((cur = {}));
      cur.dest = d[1];
    }
  }
  return found.filter((f) => f.dest);
}

function main() {
  const { values: o } = parseArgs({
    options: {
      out: { type: 'string', default: DEFAULT_CONFIG },
      collections: { type: 'string', default: 'crowdsecurity/linux,crowdsecurity/sshd,crowdsecurity/nginx' },
      hub: { type: 'string', default: '/usr/share/crowdsec/hub' },
      patterns: { type: 'string', default: '/etc/crowdsec/patterns' },
      data: { type: 'string', multiple: true, default: ['/usr/share/crowdsec/data'] },
      strict: { type: 'boolean', default: false },
    },
  });
  const out = resolve(o.out);
  const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  if (`${out}/`.startsWith(`${repo}/`)) throw new Error(`--out ${out} is inside the repository: CrowdSec's hub content stays out of it`);
  const indexPath = join(o.hub, '.index.json');
  if (!existsSync(indexPath)) throw new Error(`no hub index at ${indexPath} (apt-get install crowdsec ships one in /usr/share/crowdsec/hub, or give --hub)`);
  if (!existsSync(o.patterns)) throw new Error(`no grok patterns at ${o.patterns} (apt-get install crowdsec, or give --patterns)`);
  const index = JSON.parse(readFileSync(indexPath, 'utf8'));
  // Debian enables the whitelists parser (private ranges) beside the collections; so do we.
  const items = resolveItems(index, o.collections.split(',').map((s) => s.trim()).filter(Boolean), ['crowdsecurity/whitelists']);

  rmSync(out, { recursive: true, force: true });
  for (const d of ['parsers', 'scenarios', 'postoverflows', 'data']) mkdirSync(join(out, d), { recursive: true });
  cpSync(o.hub, join(out, 'hub'), { recursive: true, dereference: true });
  cpSync(o.patterns, join(out, 'patterns'), { recursive: true, dereference: true });

  const dataDirs = o.data.map((d) => resolve(d));
  const findData = (f) => {
    const names = [f.dest, ...(f.source ? [basename(new URL(f.source).pathname)] : [])];
    for (const dir of dataDirs) for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
    return undefined;
  };
  const copied = [];
  const leftOut = [];
  for (const kind of ['parsers', 'scenarios', 'postoverflows']) {
    for (const name of [...items[kind]].sort()) {
      const entry = index[kind]?.[name];
      if (!entry) throw new Error(`${kind.slice(0, -1)} ${name} is not in the hub index`);
      const src = join(o.hub, entry.path);
      const text = readFileSync(src, 'utf8');
      const data = dataFilesOf(text).map((f) => ({ ...f, from: findData(f) }));
      const missing = data.filter((f) => !f.from);
      if (missing.length) {
        const why = `${name}: no ${missing.map((f) => `${f.dest}${f.source ? ` (${f.source})` : ''}`).join(', ')} in ${dataDirs.join(', ')}`;
        if (o.strict) throw new Error(why);
        leftOut.push(why);
        continue;
      }
      for (const f of data) cpSync(f.from, join(out, 'data', f.dest));
      // parsers/STAGE/vendor/name.yaml -> parsers/STAGE/name.yaml; scenarios/vendor/name.yaml -> scenarios/name.yaml
      const parts = entry.path.split('/');
      const dest = kind === 'scenarios' ? join(out, 'scenarios', parts.at(-1)) : join(out, kind, parts[1], parts.at(-1));
      mkdirSync(resolve(dest, '..'), { recursive: true });
      writeFileSync(dest, text);
      copied.push(`${kind}/${name}`);
    }
  }
  writeFileSync(join(out, 'simulation.yaml'), 'simulation: off\n');
  writeFileSync(
    join(out, 'config.yaml'),
    [
      '# For running CrowdSec by hand on this dir; bench/peers/crowdsec.mjs writes its own per run (with a local API stand-in).',
      '# No local API server (-no-api), no central API, no console, no prometheus listener.',
      'common: { daemonize: false, log_media: stdout, log_level: info, working_dir: /tmp }',
      'config_paths:',
      `  config_dir: ${JSON.stringify(`${out}/`)}`,
      `  data_dir: ${JSON.stringify(`${out}/data/`)}`,
      `  simulation_path: ${JSON.stringify(`${out}/simulation.yaml`)}`,
      `  hub_dir: ${JSON.stringify(`${out}/hub/`)}`,
      `  index_path: ${JSON.stringify(`${out}/hub/.index.json`)}`,
      '  plugin_dir: /usr/lib/crowdsec/plugins/',
      'crowdsec_service: { parser_routines: 1 }',
      'prometheus: { enabled: false }',
      '',
    ].join('\n'),
  );
  const manifest = { builtFrom: { hub: o.hub, patterns: o.patterns, data: dataDirs }, collections: [...items.collections].sort(), items: copied, leftOut, dataFiles: readdirSync(join(out, 'data')).sort() };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`${out}: ${copied.length} items from ${manifest.collections.length} collections (${manifest.collections.join(', ')}), ${manifest.dataFiles.length} data files`);
  for (const l of leftOut) console.log(`left out: ${l}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`crowdsec-setup: ${e.message}`);
    process.exit(1);
  }
}
