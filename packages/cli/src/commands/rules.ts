import { join, resolve } from 'node:path';
import { MamoriError } from 'mamori';
import { formatCrsSearch, locateCrs } from 'mamori/waf';
import { CONFIG_OPTION, parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { DEFAULT_CRS_VERSION, LIBINJECTION_DATA_URL, crsReleaseUrl, fetchCrs, fetchLibinjection } from './rules-fetch.js';

export const help = `Usage:
  mamori rules fetch crs             download the OWASP Core Rule Set, check it and install it in
                                     <data_dir>/crs/<version>, then point <data_dir>/crs/current at it
        --version 4.x.y              the release (default ${DEFAULT_CRS_VERSION}, the one mamori is tested with)
        --url URL                    the archive (default ${crsReleaseUrl('<version>')});
                                     https only; without --version, the version is read from the rules
        --sha256 HEX                 the archive's expected SHA-256; without it, the one received is printed
        --dir DIR                    where versions and current go (default <data_dir>/crs)
        --libinjection DIR           libinjection's data for @detectSQLi (default: MAMORI_LIBINJECTION_DIR)
        --json                       print the result as JSON
  mamori rules fetch libinjection    download libinjection's data for @detectSQLi (CRS's 942100), check it
                                     and install it in <data_dir>/libinjection, where the WAF looks for it
        --url URL                    the file (default ${LIBINJECTION_DATA_URL});
                                     the default is checked against its known SHA-256
        --sha256 HEX                 the file's expected SHA-256
        --dir DIR                    where it goes (default <data_dir>/libinjection)
        --json                       print the result as JSON
  mamori rules where                 which CRS mamori would load (MAMORI_CRS_DIR, <data_dir>/crs/current,
                                     Debian's modsecurity-crs, /opt/owasp-crs), or where it looked
        --json                       print the result as JSON
  -c, --config FILE                  the config whose data_dir is used (default: mamori.yaml here or above)
`;

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    { ...CONFIG_OPTION, version: { type: 'string' }, url: { type: 'string' }, sha256: { type: 'string' }, dir: { type: 'string' }, libinjection: { type: 'string' }, json: { type: 'boolean' } },
    help,
  );
  const [sub, what, ...rest] = positionals;
  if (sub === 'fetch' && what === 'crs' && rest.length === 0) {
    const dir = values.dir ? resolve(values.dir) : join(readConfig(values.config).dataDir, 'crs');
    const r = await fetchCrs({
      dir,
      ...(values.version !== undefined ? { version: values.version } : {}),
      ...(values.url !== undefined ? { url: values.url } : {}),
      ...(values.sha256 !== undefined ? { sha256: values.sha256 } : {}),
      ...(values.libinjection !== undefined ? { sqliDataDir: values.libinjection } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `CRS ${r.version}: ${r.ruleFiles} rule files, ${r.rules} rules loaded by mamori's WAF\n` +
        `installed in ${r.installedIn}\n${r.current} -> ${r.version}\n` +
        `sha256 ${r.sha256} (${r.bytes} bytes from ${r.url})\n` +
        (values.sha256 === undefined ? `check it next time with --sha256 ${r.sha256}\n` : ''),
    );
    return 0;
  }
  if (sub === 'fetch' && what === 'libinjection' && rest.length === 0) {
    const dir = values.dir ? resolve(values.dir) : join(readConfig(values.config).dataDir, 'libinjection');
    const r = await fetchLibinjection({
      dir,
      ...(values.url !== undefined ? { url: values.url } : {}),
      ...(values.sha256 !== undefined ? { sha256: values.sha256 } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else process.stdout.write(`libinjection's data installed in ${r.installedIn}\nsha256 ${r.sha256} (${r.bytes} bytes from ${r.url})\n`);
    return 0;
  }
  if (sub === 'where' && what === undefined) {
    const search = locateCrs({ dataDir: readConfig(values.config).dataDir });
    if (values.json) process.stdout.write(`${JSON.stringify(search, null, 2)}\n`);
    else process.stdout.write(`${formatCrsSearch(search)}\n`);
    return search.crs ? 0 : 1;
  }
  throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected "fetch crs", "fetch libinjection" or "where"\n\n${help}`);
}
