import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_RULES } from './rules/index.js';

// Our rules are YARA rules: `mamori scan` runs them on YARA-X, and bench/scan.mjs gives the same file to
// Debian's YARA 4 as its peer. YARA 4 refuses a pattern it finds too complex where YARA-X takes it (one of
// session 30's upload patterns did, and the bench's YARA then matched nothing), so each rule file must
// compile on both.
const yara = spawnSync('yara', ['--version'], { encoding: 'utf8' });
const have = yara.status === 0;
if (!have) console.log('# skipped: Debian\'s yara is not installed (apt-get install yara); .ci/run installs it');

describe('scan: the built-in rules compile on YARA 4 too', () => {
  it('every rule file compiles with yara, with no error', { skip: have ? false : 'yara is not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-yara4-'));
    try {
      const empty = join(dir, 'empty.txt');
      writeFileSync(empty, 'x');
      let n = 0;
      for (const r of BUILTIN_RULES) {
        const file = join(dir, `rules-${n}.yar`);
        writeFileSync(file, r.source);
        const run = spawnSync('yara', ['-d', 'extension=', '-d', 'filename=', file, empty], { encoding: 'utf8' });
        assert.equal(run.status, 0, `${r.name}: ${run.stderr}`);
        assert.doesNotMatch(run.stderr, /error/i, `${r.name}: ${run.stderr}`);
        n++;
      }
      assert.ok(n >= 2, `${n} rule files`);
      assert.equal(n, BUILTIN_RULES.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
