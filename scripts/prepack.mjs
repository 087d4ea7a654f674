#!/usr/bin/env node
// Run by each package's `prepack` (npm pack, npm publish), in the package's folder:
// puts into the package what lives once at the repository's root, so the tarball
// carries it without a committed copy (the copies are ignored by git).
//   every package: LICENSE (Apache-2.0)
//   mamori:        schema.json, the config's JSON Schema (schema/mamori.schema.json),
//                  exported as `mamori/schema.json`
// The build (`tsc -b`, run by `npm install` at the root) must have run: the
// tarballs carry dist/.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkgDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

if (!existsSync(join(pkgDir, 'dist'))) {
  console.error(`prepack: ${pkg.name} is not built; run \`npx tsc -b\` at the repository's root first`);
  process.exit(1);
}
copyFileSync(join(root, 'LICENSE'), join(pkgDir, 'LICENSE'));
if (pkg.name === 'mamori') copyFileSync(join(root, 'schema', 'mamori.schema.json'), join(pkgDir, 'schema.json'));
