// Red team s16 (bench/redteam/README-host-s16.md): --threads 1, 2 and 8 give the same results, swaps included.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, lstatSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFiles } from './hasher.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-hasher-rt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('S16H: fim hashing on 1, 2 and 8 threads', () => {
  it('the same results for every file, with files swapped between the walk and the read (symlink, FIFO, another inode, removed, grown)', async () => {
    const files: string[] = [];
    for (let i = 0; i < 600; i++) {
      const f = join(dir, `f${i}`);
      writeFileSync(f, `${i}:`.repeat(10_000 + (i % 97) * 200)); // 40 MB in all: 8 threads start 4 workers
      files.push(f);
    }
    const jobs = files.map((path, i) => {
      const st = lstatSync(path, { bigint: true });
      return { path, dev: st.dev, ino: st.ino, keep: i % 3 === 0 ? 4096 : 0, hashSparse: i % 5 === 0 };
    });
    const sizes = files.map((f) => statSync(f).size);
    // After the walk: what an attacker (or a deploy) does before the hashers read.
    for (let i = 0; i < 600; i += 10) {
      const f = files[i]!;
      switch ((i / 10) % 5) {
        case 0:
          unlinkSync(f);
          symlinkSync('/etc/passwd', f);
          break;
        case 1:
          if (process.platform === 'win32') break;
          unlinkSync(f);
          execFileSync('mkfifo', [f]);
          break;
        case 2:
          writeFileSync(`${f}.new`, 'other');
          renameSync(`${f}.new`, f);
          break;
        case 3:
          unlinkSync(f);
          break;
        default:
          appendFileSync(f, 'grown');
      }
    }
    const one = await hashFiles(jobs, sizes, { threads: 1, inlineBelow: 0 });
    const two = await hashFiles(jobs, sizes, { threads: 2, inlineBelow: 0 });
    const eight = await hashFiles(jobs, sizes, { threads: 8, inlineBelow: 0 });
    // A worker's answer carries `content: undefined` where this thread's leaves it out: the same to every reader.
    const plain = (rs: typeof one) => rs.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
    assert.deepEqual(plain(two), plain(one));
    assert.deepEqual(plain(eight), plain(one));
    const errors = new Set(one.filter((r) => !r.ok).map((r) => (r as { error: string }).error));
    assert.ok(errors.size >= 3, [...errors].join('; '));
    assert.equal(one.filter((r) => !r.ok).length, 48, 'symlink, FIFO, other inode and removed are reported; grown is hashed as it is');
  });
});
