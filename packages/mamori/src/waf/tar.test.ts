import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isMamoriError } from '../core/errors.js';
import { commonTopFolder, readTar, readTarGz, safePath, writeTarEntries } from './tar.js';

/** One tar header block and its data, any field settable (to build hostile archives). */
interface Raw {
  name: string;
  data?: string | Buffer;
  type?: string;
  mode?: number;
  linkname?: string;
  prefix?: string;
  /** The size field as written (default: the data's length in octal). */
  sizeField?: string | Buffer;
  badChecksum?: boolean;
}

function block(r: Raw): Buffer {
  const data = Buffer.isBuffer(r.data) ? r.data : Buffer.from(r.data ?? '');
  const h = Buffer.alloc(512);
  h.write(r.name, 0, 100, 'utf8');
  h.write(`${(r.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  if (Buffer.isBuffer(r.sizeField)) r.sizeField.copy(h, 124);
  else h.write(r.sizeField ?? `${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(r.type ?? '0', 156, 'latin1');
  if (r.linkname) h.write(r.linkname, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 'latin1');
  if (r.prefix) h.write(r.prefix, 345, 155, 'utf8');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  if (r.badChecksum) sum += 1;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad]);
}

function pax(records: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    out += `${len}${body}`;
  }
  return Buffer.from(out);
}

const END = Buffer.alloc(1024);
const tar = (...entries: Raw[]) => Buffer.concat([...entries.map(block), END]);
const tgz = (...entries: Raw[]) => gzipSync(tar(...entries));

function refused(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isMamoriError(err, 'MAMORI_ERR_WAF_ARCHIVE'), `expected MAMORI_ERR_WAF_ARCHIVE, got ${String(err)}`);
    assert.match((err as Error).message, pattern);
    return true;
  });
}

describe('readTarGz', () => {
  it('reads files and directories, with ustar prefixes, pax paths and GNU long names', () => {
    const long = `crs/${'d'.repeat(120)}/file.conf`;
    const entries = readTarGz(
      tgz(
        { name: 'pax_global_header', type: 'g', data: pax({ comment: '55b09f5acfd16413e7b31041100711ceb7adc89c' }) },
        { name: 'crs/', type: '5', mode: 0o755 },
        { name: 'crs/rules/a.conf', data: 'SecRule A' },
        { name: 'tool.sh', prefix: 'crs/util', data: '#!/bin/sh', mode: 0o755 },
        { name: 'PaxHeader', type: 'x', data: pax({ path: long }) },
        { name: 'ignored-short-name', data: 'long one' },
        { name: '././@LongLink', type: 'L', data: `${long}.2\0` },
        { name: 'ignored', data: 'gnu long' },
        { name: './crs/./x.data', data: '' },
      ),
    );
    assert.deepEqual(
      entries.map((e) => [e.path, e.type, e.executable, e.data.toString()]),
      [
        ['crs', 'directory', false, ''],
        ['crs/rules/a.conf', 'file', false, 'SecRule A'],
        ['crs/util/tool.sh', 'file', true, '#!/bin/sh'],
        [long, 'file', false, 'long one'],
        [`${long}.2`, 'file', false, 'gnu long'],
        ['crs/x.data', 'file', false, ''],
      ],
    );
    assert.equal(commonTopFolder(entries), 'crs');
  });

  it('reads what `git archive` writes (pax global header, prefix folder)', (t) => {
    const repo = mkdtempSync(join(tmpdir(), 'mamori-tar-git-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      git('init', '-q');
    } catch {
      t.skip('git is not installed');
      return;
    }
    mkdirSync(join(repo, 'rules'));
    writeFileSync(join(repo, 'rules', 'REQUEST-901-INITIALIZATION.conf'), '# x\n');
    writeFileSync(join(repo, 'crs-setup.conf.example'), '# setup\n');
    git('add', '.');
    git('commit', '-q', '-m', 'x');
    const gz = git('archive', '--format=tar.gz', '--prefix=coreruleset-9.9.9/', 'HEAD');
    const entries = readTarGz(gz);
    assert.deepEqual(entries.map((e) => e.path).sort(), ['coreruleset-9.9.9', 'coreruleset-9.9.9/crs-setup.conf.example', 'coreruleset-9.9.9/rules', 'coreruleset-9.9.9/rules/REQUEST-901-INITIALIZATION.conf']);
    assert.equal(commonTopFolder(entries), 'coreruleset-9.9.9');
  });

  it('refuses what is not gzip, or gzip that is damaged', () => {
    refused(() => readTarGz(Buffer.from('<html>Not Found</html>')), /not a gzip file/);
    refused(() => readTarGz(Buffer.alloc(0)), /not a gzip file/);
    const gz = tgz({ name: 'a', data: 'x'.repeat(1000) });
    refused(() => readTarGz(gz.subarray(0, gz.length - 20)), /gzip data is damaged/);
  });

  it('refuses gzip that is not tar', () => {
    refused(() => readTarGz(gzipSync(Buffer.from('hello, world'))), /not a tar archive/);
    refused(() => readTarGz(gzipSync(Buffer.alloc(600, 0x41))), /checksum is wrong/);
  });

  it('refuses a name that climbs out or is absolute, naming the entry', () => {
    refused(() => readTarGz(tgz({ name: 'crs/../../etc/cron.d/x', data: 'x' })), /entry "crs\/\.\.\/\.\.\/etc\/cron\.d\/x": a name that climbs out/);
    refused(() => readTarGz(tgz({ name: '..', type: '5' })), /climbs out/);
    refused(() => readTarGz(tgz({ name: '/etc/passwd', data: 'x' })), /entry "\/etc\/passwd": an absolute name/);
    refused(() => readTarGz(tgz({ name: 'C:/x', data: 'x' })), /absolute/);
    refused(() => readTarGz(tgz({ name: 'a\\..\\b', data: 'x' })), /backslash/);
    refused(() => readTarGz(tgz({ name: 'x', prefix: '../up', data: 'x' })), /entry "\.\.\/up\/x": a name that climbs out/);
    refused(() => readTarGz(tgz({ name: 'PaxHeader', type: 'x', data: pax({ path: '../../x' }) }, { name: 'innocent', data: 'x' })), /entry "\.\.\/\.\.\/x"/);
    refused(() => readTarGz(tgz({ name: 'a\u001b[2Jb', data: 'x' })), /entry "a\?\[2Jb": a control character/);
  });

  it('refuses links, devices and FIFOs', () => {
    refused(() => readTarGz(tgz({ name: 'crs/rules', type: '2', linkname: '/etc' })), /entry "crs\/rules": a symbolic link is not accepted/);
    refused(() => readTarGz(tgz({ name: 'crs/passwd', type: '1', linkname: '/etc/passwd' })), /a hard link/);
    refused(() => readTarGz(tgz({ name: 'tty', type: '3' })), /a character device/);
    refused(() => readTarGz(tgz({ name: 'sda', type: '4' })), /a block device/);
    refused(() => readTarGz(tgz({ name: 'pipe', type: '6' })), /a FIFO/);
    refused(() => readTarGz(tgz({ name: 'odd', type: 'Z' })), /entry type "Z"/);
  });

  it('refuses a huge size in a header before reading it', () => {
    refused(() => readTarGz(tgz({ name: 'big', sizeField: '77777777777\0' })), /entry "big" \(header at byte 0\): it is 8589934591 bytes \(at most 16777216/);
    const b256 = Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0]);
    refused(() => readTarGz(tgz({ name: 'big', sizeField: b256 })), /base-256/);
    refused(() => readTarGz(tgz({ name: 'PaxHeader', type: 'x', data: pax({ size: '999999999999' }) }, { name: 'big', data: '' })), /it is 999999999999 bytes/);
    refused(() => readTarGz(tgz({ name: 'PaxHeader', type: 'x', data: 'x'.repeat(70_000) }, { name: 'a', data: '' })), /extended header is 70000 bytes/);
    refused(() => readTarGz(tgz({ name: 'odd', sizeField: '12z\0' })), /not octal/);
  });

  it('refuses an archive that is cut short', () => {
    const whole = tar({ name: 'a.conf', data: 'y'.repeat(2000) });
    refused(() => readTar(whole.subarray(0, 1024)), /entry "a\.conf" \(header at byte 0\): the archive ends inside it \(truncated\)/);
    refused(() => readTar(whole.subarray(0, 512 + 2048)), /ends without its end marker/);
    refused(() => readTarGz(gzipSync(whole.subarray(0, 300))), /not a tar archive/);
  });

  it('refuses a wrong checksum, a malformed pax header, and a name twice', () => {
    refused(() => readTarGz(tgz({ name: 'a', data: 'x', badChecksum: true })), /entry "a" \(header at byte 0\): the header's checksum is wrong/);
    refused(() => readTarGz(tgz({ name: 'PaxHeader', type: 'x', data: '99 path=x\n' }, { name: 'a', data: '' })), /malformed extended \(pax\) header/);
    refused(() => readTarGz(tgz({ name: 'a', data: '1' }, { name: 'a', data: '2' })), /entry "a": the name appears twice/);
  });

  it('bounds the entries, the total and the unpacked size', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, data: 'x' }));
    refused(() => readTarGz(tgz(...many), { maxEntries: 10 }), /more than 10 entries/);
    refused(() => readTarGz(tgz({ name: 'a', data: 'x'.repeat(600) }, { name: 'b', data: 'x'.repeat(600) }), { maxTotalBytes: 1000 }), /entry "b": the files add up to more than 1000 bytes/);
    // A gzip bomb: 64 MiB of zeros in a few KB, stopped at the unpacked limit.
    const bomb = gzipSync(Buffer.concat([block({ name: 'z', data: Buffer.alloc(0), sizeField: `${(64 * 1024 * 1024).toString(8).padStart(11, '0')}\0` }), Buffer.alloc(64 * 1024 * 1024)]));
    assert.ok(bomb.length < 200_000);
    refused(() => readTarGz(bomb, { maxArchiveBytes: 1024 * 1024 }), /unpacks to more than 1048576 bytes/);
  });
});

describe('safePath', () => {
  it('drops `.` parts and trailing slashes, keeps the rest', () => {
    assert.equal(safePath('./a/./b/'), 'a/b');
    assert.equal(safePath('a//b'), 'a/b');
    assert.equal(safePath('a/..b/c..'), 'a/..b/c..');
    refused(() => safePath('./'), /only "\." or "\/"/);
    refused(() => safePath(`${'a/'.repeat(60)}x`), /folders deep/);
  });
});

describe('writeTarEntries', () => {
  it('writes files 0644/0755 and directories, the top folder stripped', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mamori-tar-')), 'out');
    const entries = readTarGz(tgz({ name: 'top/', type: '5' }, { name: 'top/rules/a.conf', data: 'A', mode: 0o4777 }, { name: 'top/run.sh', data: 'B', mode: 0o700 }));
    assert.deepEqual(writeTarEntries(entries, dir, { strip: 1 }), { files: 2, bytes: 2 });
    assert.deepEqual(readdirSync(dir).sort(), ['rules', 'run.sh']);
    assert.equal(readFileSync(join(dir, 'rules', 'a.conf'), 'utf8'), 'A');
    assert.equal(statSync(join(dir, 'rules', 'a.conf')).mode & 0o7777, 0o755 & ~process.umask());
    assert.equal(statSync(join(dir, 'run.sh')).mode & 0o7777, 0o755 & ~process.umask());
  });

  it('refuses a file where a directory is (or the reverse), naming the entry', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mamori-tar-')), 'out');
    const entries = readTarGz(tgz({ name: 'a', data: 'file' }, { name: 'a/b', data: 'under a file' }));
    refused(() => writeTarEntries(entries, dir), /entry "a\/b": could not be written/);
  });
});
