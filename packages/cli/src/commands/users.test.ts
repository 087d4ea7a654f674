import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserDirectory, mfaKeyRing } from 'mamori/internal';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-cli-users-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mamori.yaml'), 'data_dir: ./data\n');
  const mamori = (args: string[], input = '') => {
    const env = { ...process.env };
    delete env.MAMORI_CONFIG;
    delete env.MAMORI_SECRET;
    delete env.MAMORI_MFA_KEYS;
    delete env.MAMORI_MFA_KEY_FILE;
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env, input });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  /** Passkeys as the gate stores them after a registration (the browser part is tested elsewhere). */
  const addPasskey = (user: string, id: string, name: string) => {
    const d = new UserDirectory(join(dir, 'data', 'users.json'), mfaKeyRing(join(dir, 'data'), false, {}), Buffer.alloc(32));
    return d.addPasskey(user, { id, publicKey: new Uint8Array([0xa5, 1, 2, 3, 38]), counter: 0, transports: ['usb', 'bogus transport'], aaguid: 'not an aaguid', name }, Date.UTC(2026, 5, 1));
  };
  return { dir, mamori, addPasskey };
}

describe('mamori users: passkeys', () => {
  it('add --passkey makes a user without TOTP, with a window to register a passkey and recovery codes', () => {
    const { dir, mamori } = project();
    const r = mamori(['users', 'add', 'alice', '--passkey', '--json'], 'a long enough password\n');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { name: string; passkeyEnrolUntil: string; recoveryCodes: string[] };
    assert.equal(j.name, 'alice');
    assert.equal(j.recoveryCodes.length, 10);
    const days = (Date.parse(j.passkeyEnrolUntil) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, String(days));
    const file = JSON.parse(readFileSync(join(dir, 'data', 'users.json'), 'utf8')) as { users: { totp: string }[] };
    assert.equal(file.users[0]!.totp, '');
    const text = mamori(['users', 'add', 'bob', '--passkey'], 'a long enough password\n');
    assert.match(text.out, /bob signs in with a passkey: sign in at \/\.mamori\/signin with the password \(code left empty\) before \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.match(mamori(['users', 'add', 'carol', '--passkey', '--qr', 'x.svg'], 'a long enough password\n').err, /--passkey or --qr/);
    assert.match(mamori(['users', 'list', '--passkey']).err, /--passkey is for add and reset-mfa/);
  });

  it('lists, removes by id or prefix, and says when there is none', async () => {
    const { mamori, addPasskey } = project();
    assert.equal(mamori(['users', 'add', 'alice'], 'a long enough password\n').code, 0);
    assert.match(mamori(['users', 'passkeys', 'alice']).out, /alice has no passkeys/);
    await addPasskey('alice', 'AAAAAAAAAAAAAAAAAAAAAA', 'laptop\u202e');
    await addPasskey('alice', 'AAAAAAAABBBBBBBBBBBBBB', 'key');
    const listed = JSON.parse(mamori(['users', 'passkeys', 'alice', '--json']).out) as { id: string; name: string; transports: string[]; aaguid: string; lastUsedAt: null }[];
    assert.deepEqual(
      listed.map((k) => [k.id, k.name, k.transports, k.aaguid, k.lastUsedAt]),
      [
        ['AAAAAAAAAAAAAAAAAAAAAA', 'laptop', ['usb'], '00000000-0000-0000-0000-000000000000', null],
        ['AAAAAAAABBBBBBBBBBBBBB', 'key', ['usb'], '00000000-0000-0000-0000-000000000000', null],
      ],
    );
    const table = mamori(['users', 'passkeys', 'alice']);
    assert.match(table.out, /^ID\s+NAME\s+CREATED\s+LAST USED\s+AAGUID/);
    assert.match(table.out, /AAAAAAAABBBBBBBBBBBBBB\s+key\s+2026-06-01 00:00:00\s+never/);
    const users = JSON.parse(mamori(['users', 'list', '--json']).out) as { passkeys: number; totp: boolean }[];
    assert.deepEqual([users[0]!.passkeys, users[0]!.totp], [2, true]);
    const ambiguous = mamori(['users', 'remove-passkey', 'alice', 'AAAAAAAA']);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.err, /starts 2 passkey ids/);
    assert.equal(mamori(['users', 'remove-passkey', 'alice', 'AAAAAAA']).code, 1, 'a prefix is 8 characters or more');
    const removed = mamori(['users', 'remove-passkey', 'alice', 'AAAAAAAAB']);
    assert.equal(removed.code, 0, removed.err);
    assert.match(removed.out, /Removed the passkey "key" of alice/);
    assert.equal(mamori(['users', 'remove-passkey', 'alice', 'AAAAAAAABBBBBBBBBBBBBB']).code, 1);
    assert.match(mamori(['users', 'remove-passkey', 'alice']).err, /needs a user name and a passkey id/);
    assert.equal(mamori(['users', 'passkeys', 'nobody']).code, 1);
    // reset-mfa takes every passkey away.
    assert.equal(mamori(['users', 'reset-mfa', 'alice', '--json']).code, 0);
    assert.match(mamori(['users', 'passkeys', 'alice']).out, /alice has no passkeys/);
  });

  it('keeps a passkey bound to its user: copied to another user it does not open', async () => {
    const { dir, mamori, addPasskey } = project();
    assert.equal(mamori(['users', 'add', 'alice'], 'a long enough password\n').code, 0);
    assert.equal(mamori(['users', 'add', 'mallory'], 'a long enough password\n').code, 0);
    await addPasskey('alice', 'CCCCCCCCCCCCCCCCCCCCCC', 'alice key');
    const path = join(dir, 'data', 'users.json');
    const file = JSON.parse(readFileSync(path, 'utf8')) as { users: { name: string; passkeys?: unknown[] }[] };
    const alice = file.users.find((u) => u.name === 'alice')!;
    file.users.find((u) => u.name === 'mallory')!.passkeys = [{ ...(alice.passkeys![0] as object), id: 'DDDDDDDDDDDDDDDDDDDDDD' }];
    writeFileSync(path, JSON.stringify(file));
    const d = new UserDirectory(path, mfaKeyRing(join(dir, 'data'), false, {}), Buffer.alloc(32));
    const a = d.get('alice')!;
    assert.deepEqual([...d.passkeyKey(a, a.passkeys![0]!)], [0xa5, 1, 2, 3, 38]);
    const m = d.get('mallory')!;
    assert.throws(() => d.passkeyKey(m, m.passkeys![0]!), { code: 'MAMORI_ERR_MFA_KEY' });
    // A malformed record: the file is refused, with where.
    file.users.find((u) => u.name === 'mallory')!.passkeys = [{ id: 'short' }];
    writeFileSync(path, JSON.stringify(file));
    const bad = mamori(['users', 'list']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /users\.json: users\[1\]/);
  });
});

describe('mamori users: under the lock a running proxy takes too', () => {
  it('waits while users.json is locked, then changes the file as the holder left it', async () => {
    const { dir, mamori } = project();
    assert.equal(mamori(['users', 'add', 'alice'], 'a long enough password\n').code, 0);
    const path = join(dir, 'data', 'users.json');
    // Another process (this one, standing in for a proxy) holds the lock...
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: 'proxy-host', since: Date.now(), token: 'held' }));
    const env = { ...process.env };
    for (const k of ['MAMORI_CONFIG', 'MAMORI_SECRET', 'MAMORI_MFA_KEYS', 'MAMORI_MFA_KEY_FILE']) delete env[k];
    const cli = spawn(process.execPath, [BIN, 'users', 'reset-mfa', 'alice', '--json'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const done = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    await sleep(1500);
    // ...and writes while the command waits: a user the command never read.
    const file = JSON.parse(readFileSync(path, 'utf8')) as { users: { name: string }[] };
    file.users.push({ ...file.users[0]!, name: 'bob' });
    writeFileSync(path, JSON.stringify(file));
    assert.equal(out, '', 'the command has not written yet');
    unlinkSync(`${path}.lock`);
    assert.equal(await done, 0);
    assert.match(out, /otpauth:\/\/totp\//);
    const after = JSON.parse(readFileSync(path, 'utf8')) as { users: { name: string; generation: string }[] };
    assert.deepEqual(after.users.map((u) => u.name).sort(), ['alice', 'bob'], "the holder's change is kept");
    assert.notEqual(after.users.find((u) => u.name === 'alice')!.generation, after.users.find((u) => u.name === 'bob')!.generation, 'and the reset made');
    assert.equal(existsSync(`${path}.lock`), false);
  });
});
