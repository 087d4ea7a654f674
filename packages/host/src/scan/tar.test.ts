import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner, storedZipMembers, tarMembers } from './scanner.js';

// A tar (a site's backup left in its web root) is judged member by member, as the files it
// holds: read whole as one PHP file, a WordPress tar was malicious 100, from a backtick in one
// file and $_GET in another.
const scanner = createScanner({});

/** A ustar header for `name` of `size` bytes (type '0', or `type`), its checksum filled in. */
function header(name: string, size: number, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

/** A tar of these files (name, content), with GNU long-name entries where a name is too long. */
function tar(files: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
  for (const [name, text] of files) {
    const body = Buffer.from(text, 'latin1');
    if (name.length > 100) {
      const long = Buffer.from(`${name}\0`, 'latin1');
      parts.push(header('././@LongLink', long.length, 'L'), long, pad(long.length));
    }
    parts.push(header(name, body.length), body, pad(body.length));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

describe('scan: a tar is judged member by member', () => {
  it('files clean on their own make a clean tar, though read as one text they would not be', () => {
    // read as one PHP file, the input in one file reached the shell command in the next
    const t = tar([
      ['site/a.php', "<?php\n$c = $_GET['c'] ?? '';\necho htmlspecialchars($c);\n"],
      ['site/b.php', "<?php\n$c = 'uptime';\necho shell_exec($c);\n"],
      ['site/app.js', 'const q = `${location.search}`;\n'],
    ]);
    assert.equal(tarMembers(t)!.list.length, 3);
    assert.equal(scanner.scanBuffer(Buffer.concat([Buffer.from('<?php ')]), '/x.php').verdict, 'clean');
    const r = scanner.scanBuffer(t, '/www/backup.tar');
    assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
  });

  it('a shell in a member makes the tar malicious, and says which member', () => {
    const r = scanner.scanBuffer(tar([['site/index.php', '<?php echo 1;\n'], ['site/uploads/x.php', '<?php system($_GET["c"]);\n']]), '/www/backup.tar');
    assert.equal(r.verdict, 'malicious');
    assert.ok(r.findings.some((f) => f.description.startsWith('site/uploads/x.php: ')), JSON.stringify(r.findings));
  });

  it('a member named by a GNU long-name entry keeps its name, and is judged by it (PHP in an image)', () => {
    const name = `site/${'d/'.repeat(60)}pic.gif`;
    const t = tar([[name, 'GIF89a<?php eval($_POST[1]); ?>']]);
    assert.equal(tarMembers(t)!.list[0]!.name, name);
    const r = scanner.scanBuffer(t, '/www/backup.tar');
    assert.equal(r.verdict, 'malicious');
    assert.ok(r.findings.some((f) => f.description.startsWith(`${name}: `)));
  });

  it('headers that stop making sense: the tar is judged as one file, and a shell in it is still found', () => {
    const t = tar([['site/x.php', '<?php system($_GET["c"]);\n']]);
    t.write('9x9x9x9x9x9\0', 124, 'latin1'); // the size field: not octal
    assert.equal(tarMembers(t), undefined);
    assert.equal(scanner.scanBuffer(t, '/www/backup.tar').verdict, 'malicious');
  });

  it('past the members judged one by one, the rest is judged as one file (padding with empty members hides nothing)', () => {
    const files: [string, string][] = Array.from({ length: 20_001 }, (_, i) => [`e/${i}`, '']);
    files.push(['site/x.php', '<?php system($_GET["c"]);\n']);
    const t = tar(files);
    const m = tarMembers(t)!;
    assert.equal(m.list.length, 20_000);
    assert.ok(m.rest < t.length);
    assert.equal(scanner.scanBuffer(t, '/www/backup.tar').verdict, 'malicious');
  });
});

/** A zip of these files stored uncompressed (local headers only; `descriptor`: sizes left to a data descriptor). */
function storedZip(files: [string, string][], descriptor = false): Buffer {
  const parts: Buffer[] = [];
  for (const [name, text] of files) {
    const body = Buffer.from(text, 'latin1');
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(10, 4);
    h.writeUInt16LE(descriptor ? 0x08 : 0, 6);
    h.writeUInt16LE(0, 8);
    h.writeUInt32LE(descriptor ? 0 : body.length, 18);
    h.writeUInt32LE(descriptor ? 0 : body.length, 22);
    h.writeUInt16LE(name.length, 26);
    parts.push(h, Buffer.from(name, 'latin1'), body);
  }
  return Buffer.concat(parts);
}

describe('scan: a zip that stores its files is judged member by member too', () => {
  const files: [string, string][] = [
    ['site/a.php', "<?php\n$c = $_GET['c'] ?? '';\necho htmlspecialchars($c);\n"],
    ['site/b.php', "<?php\n$c = 'uptime';\necho shell_exec($c);\n"],
  ];
  it('clean members make a clean zip', () => {
    const z = storedZip(files);
    assert.equal(storedZipMembers(z)!.list.length, 2);
    assert.equal(scanner.scanBuffer(z, '/www/backup.zip').verdict, 'clean');
  });
  it('a shell in a member makes it malicious, and says which', () => {
    const r = scanner.scanBuffer(storedZip([...files, ['site/uploads/x.php', '<?php system($_GET["c"]);\n']]), '/www/backup.zip');
    assert.equal(r.verdict, 'malicious');
    assert.ok(r.findings.some((f) => f.description.startsWith('site/uploads/x.php: ')));
  });
  it('sizes left to a data descriptor: judged as one file, and a shell in it is still found', () => {
    const z = storedZip([['site/x.php', '<?php system($_GET["c"]);\n']], true);
    assert.equal(storedZipMembers(z), undefined);
    assert.equal(scanner.scanBuffer(z, '/www/backup.zip').verdict, 'malicious');
  });
});
