import { mkdirSync, writeFileSync } from 'node:fs';
import { MamoriError, hmac, resolveSecret, UserDirectory, mfaKeyRing, encodeQr, qrSvg, type Enrolment } from 'mamori/internal';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { table } from '../render.js';

export const help = `Usage:
  mamori users add NAME [--passkey | --qr FILE.svg] [--issuer NAME] [--json]
  mamori users list [--json]
  mamori users remove NAME
  mamori users reset-mfa NAME [--passkey | --qr FILE.svg] [--issuer NAME] [--json]
  mamori users password NAME
  mamori users passkeys NAME [--json]
  mamori users remove-passkey NAME ID
  mamori users rotate-keys

The people mamori's own sign-in knows: the MFA gate puts a path (an admin
area, an appliance's web UI) behind a password and a one-time code from an
authenticator app before the request reaches the site.

add and reset-mfa print, once, the otpauth:// URI to enrol the app with
(and write it as a QR code to --qr), and ten single-use recovery codes.
Passwords are read from standard input (the first line; 12 characters at
least), never from the command line. They are stored as scrypt hashes; TOTP
secrets are sealed with AES-256-GCM under the MFA key ring (MAMORI_MFA_KEYS,
or data_dir/mfa.keys, created on first use); recovery codes as keyed hashes.
rotate-keys re-seals every secret under the ring's first key. Every change
to users.json is made under a lock (users.json.lock) that a running proxy
takes too, so neither undoes the other's; a stale lock is taken over.

Passkeys (mfa_gate.webauthn in the config) are registered in a browser, on
the gate's pages: a signed-in user adds more at /.mamori/signin?passkeys.
add --passkey makes a user without TOTP, who registers a first passkey at
their first sign-in with the password, within 7 days (reset-mfa --passkey
opens the window again, and removes every passkey and the TOTP secret).
passkeys lists a user's passkeys; remove-passkey takes one out by its id
(or the first 8 characters or more of it) and ends the user's sessions.
Common options: --config FILE.
`;

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (12 characters at least): ');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    const b = c as Buffer;
    size += b.length;
    if (size > 4096) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'the password on standard input is longer than 4096 bytes');
    chunks.push(b);
    if (b.includes(0x0a)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function show(e: Enrolment, qr: string | undefined, json: boolean): void {
  if (e.otpauth === '') {
    const until = e.user.passkeyEnrolUntil ?? '';
    if (json) {
      process.stdout.write(`${JSON.stringify({ name: e.user.name, passkeyEnrolUntil: until, recoveryCodes: e.recoveryCodes }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${e.user.name} signs in with a passkey: sign in at /.mamori/signin with the password (code left empty) before ${until.slice(0, 16).replace('T', ' ')} UTC to register it.\n\n`);
    process.stdout.write(`Recovery codes, each works once (shown once: give them to ${e.user.name} to keep offline):\n\n${e.recoveryCodes.map((c) => `  ${c}`).join('\n')}\n`);
    return;
  }
  if (qr) writeFileSync(qr, qrSvg(encodeQr(e.otpauth), { title: `Enrol ${e.user.name} in an authenticator app` }), { mode: 0o600 });
  if (json) {
    process.stdout.write(`${JSON.stringify({ name: e.user.name, otpauth: e.otpauth, recoveryCodes: e.recoveryCodes, ...(qr ? { qr } : {}) }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`Enrol ${e.user.name}'s authenticator app with this (shown once; it holds the secret):\n\n  ${e.otpauth}\n\n`);
  if (qr) process.stdout.write(`The same as a QR code: ${qr} (delete it once scanned)\n\n`);
  process.stdout.write(`Recovery codes, each works once (shown once: give them to ${e.user.name} to keep offline):\n\n${e.recoveryCodes.map((c) => `  ${c}`).join('\n')}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, qr: { type: 'string' }, issuer: { type: 'string' }, passkey: { type: 'boolean' } },
    help,
  );
  const [sub, name, id, extra] = positionals;
  const subs = ['add', 'list', 'remove', 'reset-mfa', 'password', 'passkeys', 'remove-passkey', 'rotate-keys'];
  if (!sub || !subs.includes(sub)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected one of ${subs.join(', ')}\n\n${help}`);
  const surplus = sub === 'remove-passkey' ? extra : id;
  if (surplus !== undefined) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `unexpected argument "${surplus.slice(0, 40)}"\n\n${help}`);
  if (sub === 'remove-passkey' && !id) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `mamori users remove-passkey needs a user name and a passkey id (mamori users passkeys NAME lists them)\n\n${help}`);
  const passkeyOnly = values.passkey === true;
  if (passkeyOnly && !['add', 'reset-mfa'].includes(sub)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--passkey is for add and reset-mfa\n\n${help}`);
  if (passkeyOnly && values.qr !== undefined) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'a user of passkeys only has no TOTP secret to show as a QR code: --passkey or --qr');
  const needsName = !['list', 'rotate-keys'].includes(sub);
  if (needsName && !name) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `mamori users ${sub} needs a user name\n\n${help}`);
  const config = readConfig(values.config, { existing: sub !== 'add' });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = resolveSecret(config);
  const dir = new UserDirectory(`${config.dataDir}/users.json`, mfaKeyRing(config.dataDir, sub === 'add' || sub === 'reset-mfa'), hmac(secret, 'mamori recovery codes'));
  const issuer = values.issuer ?? config.mfaGate?.issuer ?? 'mamori';
  switch (sub) {
    case 'add': {
      const password = await readPassword();
      show(await dir.add(name!, password, { issuer, passkeyOnly }), values.qr, values.json === true);
      return 0;
    }
    case 'reset-mfa':
      show(await dir.resetMfa(name!, { issuer, passkeyOnly }), values.qr, values.json === true);
      return 0;
    case 'passkeys': {
      const u = dir.get(name!);
      if (!u) {
        process.stderr.write(`mamori: no user "${name!.slice(0, 128)}"\n`);
        return 1;
      }
      const keys = u.passkeys ?? [];
      if (values.json) {
        process.stdout.write(`${JSON.stringify(keys.map((k) => ({ id: k.id, name: k.name, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt ?? null, aaguid: k.aaguid, transports: k.transports, counter: k.counter })), null, 2)}\n`);
        return 0;
      }
      if (keys.length === 0) process.stdout.write(`${u.name} has no passkeys.\n`);
      else process.stdout.write(table(['ID', 'NAME', 'CREATED', 'LAST USED', 'AAGUID'], keys.map((k) => [k.id, k.name, k.createdAt.slice(0, 19).replace('T', ' '), k.lastUsedAt ? k.lastUsedAt.slice(0, 19).replace('T', ' ') : 'never', k.aaguid])));
      return 0;
    }
    case 'remove-passkey': {
      const gone = await dir.removePasskey(name!, id!);
      if (!gone) {
        process.stderr.write(`mamori: ${name!.slice(0, 128)} has no passkey "${id!.slice(0, 80)}" (mamori users passkeys ${name!.slice(0, 128)} lists them)\n`);
        return 1;
      }
      process.stdout.write(`Removed the passkey "${gone.name}" of ${name}; their sessions have ended.\n`);
      return 0;
    }
    case 'password':
      await dir.setPassword(name!, await readPassword());
      process.stdout.write(`Password of ${name} changed.\n`);
      return 0;
    case 'remove':
      if (!(await dir.remove(name!))) {
        process.stderr.write(`mamori: no user "${name!.slice(0, 128)}"\n`);
        return 1;
      }
      process.stdout.write(`Removed ${name}.\n`);
      return 0;
    case 'rotate-keys':
      process.stdout.write(`Re-sealed ${await dir.rotateKeys()} secrets under the ring's first key.\n`);
      return 0;
    default: {
      const users = dir.list();
      if (values.json) {
        process.stdout.write(`${JSON.stringify(users.map((u) => ({ name: u.name, createdAt: u.createdAt, totp: u.totp !== '', passkeys: u.passkeys?.length ?? 0, recoveryCodesLeft: u.recovery.length })), null, 2)}\n`);
        return 0;
      }
      if (users.length === 0) process.stdout.write('No users. Add one: mamori users add NAME\n');
      else process.stdout.write(table(['NAME', 'CREATED', 'TOTP', 'PASSKEYS', 'RECOVERY CODES LEFT'], users.map((u) => [u.name, u.createdAt.slice(0, 19).replace('T', ' '), u.totp !== '' ? 'yes' : 'no', u.passkeys?.length ?? 0, u.recovery.length])));
      return 0;
    }
  }
}
