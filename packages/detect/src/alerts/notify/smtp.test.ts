import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { sendMail, dotStuff, headerValue, type SmtpOptions } from './smtp.js';
import { EmailTransport } from './email.js';
import { Outbox } from './outbox.js';

// A self-signed certificate for localhost and 127.0.0.1, valid until 2126: test use only.
const CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBmjCCAUGgAwIBAgIUAmyru1WiOf6FTJ6Sk+zh2qcynIowCgYIKoZIzj0EAwIw',
  'FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMzE1MTM1N1oYDzIxMjYxMTA5',
  'MTUxMzU3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO',
  'PQMBBwNCAAQKQm9WE8MIpXreTvr9e6ShIxsOUlXWCkJ3VTU98KzbKqiQHPPt8YPl',
  'Fxb5ifMtji7SjimXtjbAHy0zfOya8t7Bo28wbTAdBgNVHQ4EFgQU5FD4Dh3LETwl',
  '1pHTu61l+/wr/bQwHwYDVR0jBBgwFoAU5FD4Dh3LETwl1pHTu61l+/wr/bQwDwYD',
  'VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI',
  'zj0EAwIDRwAwRAIgcV4cWUvy+bfgOB6hQv482gvETy7/t05b9Wr09FYUkuMCIC85',
  'kGQXAKjwbkrYdb3uskqq4aI6L9VGuQjkwNVXTTeK',
  '-----END CERTIFICATE-----',
].join('\n');
const KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9xSO1cwfqJNwWg9z',
  'XBeym3/tC+x4bx5yEJMo6PrqUtyhRANCAAQKQm9WE8MIpXreTvr9e6ShIxsOUlXW',
  'CkJ3VTU98KzbKqiQHPPt8YPlFxb5ifMtji7SjimXtjbAHy0zfOya8t7B',
  '-----END PRIVATE KEY-----',
].join('\n');

interface Mail {
  transcript: string[];
  data: string;
  auth: string[];
}

interface ServerOpts {
  starttls?: boolean;
  auth?: string;
  rcptCode?: number;
  /** Sent instead of the greeting. */
  greeting?: string;
}

const closers: (() => void)[] = [];
after(() => {
  for (const c of closers) c();
});

/** A tiny SMTP server on 127.0.0.1: STARTTLS, AUTH PLAIN/LOGIN, one message per connection. */
async function smtpServer(o: ServerOpts = {}): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = net.createServer((raw) => {
    const mail: Mail = { transcript: [], data: '', auth: [] };
    mails.push(mail);
    let sock: net.Socket = raw;
    let buf = '';
    let inData = false;
    let login: 'user' | 'pass' | undefined;
    let secure = false;
    const say = (s: string): void => void sock.write(`${s}\r\n`);
    const onLine = (line: string): void => {
      if (inData) {
        if (line === '.') {
          inData = false;
          say('250 queued');
        } else mail.data += `${line}\n`;
        return;
      }
      mail.transcript.push(line);
      if (login) {
        mail.auth.push(Buffer.from(line, 'base64').toString());
        if (login === 'user') {
          login = 'pass';
          say('334 UGFzc3dvcmQ6');
        } else {
          login = undefined;
          say('235 ok');
        }
        return;
      }
      const cmd = line.split(' ')[0]!.toUpperCase();
      if (cmd === 'EHLO') {
        const caps = ['250-mx.test', ...(o.starttls !== false && !secure ? ['250-STARTTLS'] : []), ...(secure || o.starttls === false ? [`250-AUTH ${o.auth ?? 'PLAIN LOGIN'}`] : []), '250 8BITMIME'];
        for (const c of caps) say(c);
      } else if (cmd === 'STARTTLS') {
        say('220 go ahead');
        sock.removeAllListeners('data');
        const t = new tls.TLSSocket(raw, { isServer: true, cert: CERT, key: KEY });
        sock = t;
        secure = true;
        buf = '';
        t.on('data', onData);
        t.on('error', () => {});
      } else if (cmd === 'AUTH') {
        const [, mech, arg] = line.split(' ');
        if (mech === 'PLAIN') {
          mail.auth.push(Buffer.from(arg!, 'base64').toString());
          say('235 ok');
        } else {
          login = 'user';
          say('334 VXNlcm5hbWU6');
        }
      } else if (cmd === 'MAIL') say('250 ok');
      else if (cmd === 'RCPT') say(o.rcptCode ? `${o.rcptCode} no such user` : '250 ok');
      else if (cmd === 'DATA') {
        inData = true;
        say('354 go');
      } else if (cmd === 'QUIT') {
        say('221 bye');
        sock.end();
      } else say('502 unknown');
    };
    const onData = (c: Buffer): void => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        onLine(line);
      }
    };
    raw.on('data', onData);
    raw.on('error', () => {});
    if (o.greeting !== undefined) raw.write(o.greeting);
    else say('220 mx.test ESMTP');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return { port: (server.address() as AddressInfo).port, mails };
}

const opts = (port: number, over: Partial<SmtpOptions> = {}): SmtpOptions => ({ host: '127.0.0.1', port, tls: 'starttls', username: 'alerts@example.com', password: 'pa ss', ca: CERT, servername: 'localhost', ...over });
const msg = { from: 'alerts@example.com', to: ['sec@example.com', 'ops@example.com'], subject: 'high: SSH brute force\r\nBcc: evil@example.com', text: 'line one\n.dot line\ndetails: https://console.example/alerts/a1\n' };
const signal = () => AbortSignal.timeout(5000);

function decodeBody(data: string): string {
  const body = data.slice(data.indexOf('\n\n') + 2);
  return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
}

describe('the SMTP client', () => {
  it('STARTTLS, AUTH PLAIN, two recipients, a message with a link; no header injection', async () => {
    const srv = await smtpServer();
    await sendMail(opts(srv.port), msg, signal());
    const m = srv.mails[0]!;
    assert.deepEqual(m.transcript.map((l) => l.split(' ')[0]), ['EHLO', 'STARTTLS', 'EHLO', 'AUTH', 'MAIL', 'RCPT', 'RCPT', 'DATA']);
    assert.deepEqual(m.auth, ['\u0000alerts@example.com\u0000pa ss']);
    assert.match(m.data, /^Subject: high: SSH brute force Bcc: evil@example\.com$/m);
    assert.ok(!/^Bcc:/m.test(m.data));
    assert.match(m.data, /^To: sec@example\.com, ops@example\.com$/m);
    assert.equal(decodeBody(m.data), msg.text.replace(/\n/g, '\r\n'));
  });

  it('AUTH LOGIN when that is all the server offers', async () => {
    const srv = await smtpServer({ auth: 'LOGIN' });
    await sendMail(opts(srv.port), msg, signal());
    assert.deepEqual(srv.mails[0]!.auth, ['alerts@example.com', 'pa ss']);
  });

  it('never sends credentials in the clear: no STARTTLS offered is an error before AUTH', async () => {
    const srv = await smtpServer({ starttls: false });
    await assert.rejects(sendMail(opts(srv.port), msg, signal()), /does not offer STARTTLS/);
    assert.deepEqual(srv.mails[0]!.transcript.map((l) => l.split(' ')[0]), ['EHLO']);
    await assert.rejects(sendMail(opts(srv.port, { tls: 'none' }), msg, signal()), /without TLS/);
  });

  it('a certificate it cannot verify is refused', async () => {
    const srv = await smtpServer();
    await assert.rejects(sendMail(opts(srv.port, { ca: undefined }), msg, signal()), /self[- ]signed|certificate/i);
    assert.ok(!srv.mails[0]!.transcript.some((l) => l.startsWith('AUTH')));
  });

  it('a refused recipient is permanent: no retry', async () => {
    const srv = await smtpServer({ rcptCode: 550 });
    const errors: Error[] = [];
    const box = new Outbox(new EmailTransport({ ...opts(srv.port), from: msg.from, to: msg.to }), { retries: 3, retryDelayMs: 1, onError: (e) => void errors.push(e as Error) });
    box.push({ kind: 'alert', alert: { id: 'a', detector: 'd', title: 't', severity: 'high', time: 0, count: 1, simulated: false } });
    await box.drain(5000);
    assert.equal(srv.mails.length, 1);
    assert.match(errors[0]!.message, /refused RCPT: 550 no such user/);
  });

  it('a hostile server (an endless line, or silence) ends with an error, not a hang', async () => {
    const flood = await smtpServer({ greeting: `220 ${'x'.repeat(100_000)}` });
    await assert.rejects(sendMail(opts(flood.port), msg, signal()), /longer than 2048/);
    const silent = await smtpServer({ greeting: '' });
    await assert.rejects(sendMail(opts(silent.port), msg, AbortSignal.timeout(100)), /closed the connection|aborted|timeout/i);
  });

  it('dot-stuffs and encodes headers', () => {
    assert.equal(dotStuff('a\n.b\r\n..c'), 'a\r\n..b\r\n...c');
    assert.equal(headerValue('héllo'), '=?UTF-8?B?aMOpbGxv?=');
  });
});
