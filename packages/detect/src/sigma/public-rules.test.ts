import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSigmaRules } from './engine.js';
import { web, sshd } from './events.case.js';

// A checkout of a public Sigma rule set (the SigmaHQ repository's rules/ folder),
// loaded at run time and never committed. MAMORI_SIGMA_RULES names it; by default
// the shared data folder beside the repository.
const DIR = process.env['MAMORI_SIGMA_RULES'] ?? fileURLToPath(new URL('../../../../../shared/data/sigma/rules/', import.meta.url));

describe('a public Sigma rule set', () => {
  it('loads without throwing, every document either running or reported, and runs on events', (t) => {
    if (!existsSync(DIR)) {
      t.skip(`no rule set at ${DIR} (set MAMORI_SIGMA_RULES to a checkout of the SigmaHQ rules folder)`);
      return;
    }
    const r = loadSigmaRules(DIR);
    const byReason: Record<string, number> = {};
    for (const p of r.problems) byReason[p.reason] = (byReason[p.reason] ?? 0) + 1;
    t.diagnostic(`${r.files} files, ${r.documents} documents: ${r.rules.length} loaded; not loaded by reason: ${JSON.stringify(byReason)}`);
    assert.ok(r.files > 0);
    // Every document either loaded or has a problem (a file-level problem may stand for several).
    assert.ok(r.rules.length + r.problems.length >= r.documents);
    assert.equal(byReason['internal error'], undefined);
    const events = [web('/index.php', { query: "id=1' UNION SELECT 1,2--" }), web('/.env'), sshd('Failed password for root from 203.0.113.1 port 22 ssh2', { ip: '203.0.113.1', user: 'root' })];
    for (const e of events) r.detector.onEvent(e);
    assert.equal(r.detector.stats.errors, 0);
  });
});
