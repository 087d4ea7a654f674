// Red team s16 (bench/redteam/README-host-s16.md): the per-file time bound of mamori scan.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createTimedScanner } from './timed.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-timed-rt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const shellText = `<?php @eval($_POST["x"]); ?>\n${'// padding\n'.repeat(2000)}`;
const goodText = `<?php echo 'hello'; ?>\n${'// padding\n'.repeat(2000)}`;
// Slow for the rules (H20): about a second of CPU per MB.
const slowText = `<?php ${'$_GET['.repeat(400_000)}`;

/** A process's children, from /proc (its main thread's: where node forks them). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The scanning processes this process forked (scan-child.js). */
function scanChildren(): number[] {
  return childrenOf(process.pid).filter((k) => {
    try {
      return readFileSync(`/proc/${k}/cmdline`, 'utf8').includes('scan-child');
    } catch {
      return false; // (ended meanwhile)
    }
  });
}

/** User + system CPU of a process, in clock ticks (/proc/PID/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

describe('S16H: the child scans the file the size decision was made on', () => {
  it('S16H-1: a webshell renamed away (a good copy in its place) between the decision and the child is not clean', async () => {
    const at = join(dir, 'swap.php');
    writeFileSync(at, shellText);
    writeFileSync(join(dir, 'good'), goodText);
    // The good copy is in the baseline: swapping it in must not make the scan say clean.
    const s = createTimedScanner({ fileTimeoutMs: 5000, inProcessBytes: 1000, knownGood: (_p, h) => h === sha(goodText) });
    try {
      const pending = s.scanFile(at);
      renameSync(at, join(dir, 'swap.real'));
      renameSync(join(dir, 'good'), at);
      const r = await pending;
      assert.notEqual(r.verdict, 'clean');
      assert.deepEqual(r.findings.map((f) => f.technique), ['scan-changed']);
      assert.equal(r.sha256, sha(shellText), 'the hash is of the file decided on, not of its replacement');
    } finally {
      s.close();
    }
  });

  it('S16H-2: a file stopped by the bound is hashed from the file decided on, not the name (a good copy renamed in after the child began)', async () => {
    const at = join(dir, 'slow.php');
    const warm = join(dir, 'warm.php');
    writeFileSync(at, slowText);
    writeFileSync(warm, shellText);
    writeFileSync(join(dir, 'good2'), goodText);
    const s = createTimedScanner({ fileTimeoutMs: 700, inProcessBytes: 1000, knownGood: (_p, h) => h === sha(goodText) });
    try {
      await s.scanFile(warm); // the child is ready
      const pending = s.scanFile(at);
      await sleep(200);
      renameSync(at, join(dir, 'slow.real'));
      renameSync(join(dir, 'good2'), at);
      const r = await pending;
      assert.equal(r.verdict, 'suspicious');
      assert.equal(r.sha256, sha(slowText));
    } finally {
      s.close();
    }
  });

  it('S16H-3: a good copy written in place while the child scans does not make a stopped file clean', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const at = join(dir, 'inplace.php');
    const warm = join(dir, 'warm2.php');
    writeFileSync(at, slowText);
    writeFileSync(warm, shellText);
    // (the bound is 1.5 s and the slow file takes seconds of CPU: the good copy is written once the child has
    // spent 50 ms of CPU on it, so the child read the slow text first, whatever the machine's load; with a fixed
    // sleep a loaded machine could start the child's read after the write, and the child then scanned the good copy)
    const s = createTimedScanner({ fileTimeoutMs: 1500, inProcessBytes: 1000, knownGood: (_p, h) => h === sha(goodText) });
    try {
      await s.scanFile(warm);
      const scanning = scanChildren();
      assert.equal(scanning.length, 1, 'one scanning process');
      const before = cpuTicks(scanning[0]!);
      const pending = s.scanFile(at);
      for (let i = 0; i < 3000 && cpuTicks(scanning[0]!) - before < 5; i++) await sleep(10);
      writeFileSync(at, goodText); // same inode
      const r = await pending;
      assert.equal(r.verdict, 'suspicious');
      assert.match(r.note ?? '', /written to while it was scanned/);
    } finally {
      s.close();
    }
  });
});

describe('S16H-4: no scanning process outlives mamori scan', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  it('a parent killed with SIGKILL while the child is in a slow native scan: the child ends within about a second', async () => {
    const at = join(dir, 'orphan.php');
    writeFileSync(at, `<?php ${'$_GET['.repeat(1_600_000)}`); // about 10 s of scanning
    const timed = fileURLToPath(new URL('./timed.js', import.meta.url));
    const script = join(dir, 'parent.mjs');
    writeFileSync(script, `const { createTimedScanner } = await import(${JSON.stringify(timed)}); const s = createTimedScanner({ fileTimeoutMs: 60000 }); await s.scanFile(${JSON.stringify(at)});`);
    const parent = spawn(process.execPath, [script], { stdio: 'ignore' });
    let child: number | undefined;
    for (let i = 0; i < 100 && child === undefined; i++) {
      await sleep(100);
      child = childrenOf(parent.pid!)[0];
    }
    assert.ok(child, 'the scanning process started');
    await sleep(1500); // compiled, and in the scan
    parent.kill('SIGKILL');
    await new Promise((done) => parent.once('exit', done));
    try {
      let alive = true;
      for (let i = 0; i < 20 && alive; i++) {
        await sleep(100);
        alive = existsSync(`/proc/${child}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8'));
      }
      assert.equal(alive, false, 'the scanning process ended with its parent');
    } finally {
      try {
        process.kill(child, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
});

describe('S16H-5: a program run as node -e CODE', () => {
  it('its scanning process runs scan-child.js, not CODE again (fork passed -e on: each child forked the next)', () => {
    const at = join(dir, 'eval-shell.php');
    writeFileSync(at, shellText);
    const timed = fileURLToPath(new URL('./timed.js', import.meta.url));
    // A forked copy of CODE (process.send set) stops at once, so the old fork chain cannot grow here.
    const code = `if (process.send) process.exit(3); const { createTimedScanner } = await import(${JSON.stringify(timed)}); const s = createTimedScanner({ fileTimeoutMs: 5000, inProcessBytes: 1000 }); try { console.log((await s.scanFile(${JSON.stringify(at)})).verdict); } finally { s.close(); }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.stdout.trim(), 'malicious', r.stderr);
  });
});

describe('S16H-6: a bound past what a timer holds', () => {
  it('fileTimeoutMs of 2^32 ms is a long bound, not 1 ms (setTimeout fires at once past 2^31 - 1)', async () => {
    const at = join(dir, 'long-bound.php');
    writeFileSync(at, shellText);
    const s = createTimedScanner({ fileTimeoutMs: 2 ** 32, inProcessBytes: 1000 });
    try {
      const r = await s.scanFile(at);
      assert.equal(r.verdict, 'malicious', r.note);
    } finally {
      s.close();
    }
  });
});
