#!/usr/bin/env node
// The `mamori` command. A committed shim so that npm can link it before the
// TypeScript build (`npm install` runs `tsc -b` as its prepare step) exists.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('mamori: not built yet; run `npm install` (or `npx tsc -b`) in the repository first\n');
  process.exit(1);
}
await import(entry.href);
