import { mkdirSync, writeFileSync } from 'node:fs';
import { MamoriError, hmac, resolveSecret, UserDirectory, mfaKeyRing, encodeQr, qrSvg, type Enrolment } from 'mamori/internal';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { table } from '../render.js';

export const help = `Usage:
  mamori users add NAME [--qr FILE.svg] [--issuer NAME] [--json]
  mamori users list [--json]
  mamori users remove NAME
  mamori users reset-mfa NAME [--qr FILE.svg] [--issuer NAME] [--json]
  mamori users password NAME
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
rotate-keys re-seals every secret under the ring's first key.
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
    { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, qr: { type: 'string' }, issuer: { type: 'string' } },
    help,
  );
  const [sub, name, extra] = positionals;
  const subs = ['add', 'list', 'remove', 'reset-mfa', 'password', 'rotate-keys'];
  if (!sub || !subs.includes(sub)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected one of ${subs.join(', ')}\n\n${help}`);
  if (extra !== undefined) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `unexpected argument "${extra.slice(0, 40)}"\n\n${help}`);
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
      show(await dir.add(name!, password, { issuer }), values.qr, values.json === true);
      return 0;
    }
    case 'reset-mfa':
      show(dir.resetMfa(name!, { issuer }), values.qr, values.json === true);
      return 0;
    case 'password':
      await dir.setPassword(name!, await readPassword());
      process.stdout.write(`Password of ${name} changed.\n`);
      return 0;
    case 'remove':
      if (!dir.remove(name!)) {
        process.stderr.write(`mamori: no user "${name!.slice(0, 128)}"\n`);
        return 1;
      }
      process.stdout.write(`Removed ${name}.\n`);
      return 0;
    case 'rotate-keys':
      process.stdout.write(`Re-sealed ${dir.rotateKeys()} secrets under the ring's first key.\n`);
      return 0;
    default: {
      const users = dir.list();
      if (values.json) {
        process.stdout.write(`${JSON.stringify(users.map((u) => ({ name: u.name, createdAt: u.createdAt, recoveryCodesLeft: u.recovery.length })), null, 2)}\n`);
        return 0;
      }
      if (users.length === 0) process.stdout.write('No users. Add one: mamori users add NAME\n');
      else process.stdout.write(table(['NAME', 'CREATED', 'RECOVERY CODES LEFT'], users.map((u) => [u.name, u.createdAt.slice(0, 19).replace('T', ' '), u.recovery.length])));
      return 0;
    }
  }
}
