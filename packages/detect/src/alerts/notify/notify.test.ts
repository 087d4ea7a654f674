import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { WebhookTransport } from './webhook.js';
import { SlackTransport, slackBody, mrkdwn } from './slack.js';
import { SyslogTransport, cef, cefHeader, cefValue } from './syslog.js';
import { Outbox } from './outbox.js';
import type { Notice } from './notice.js';

const closers: (() => void)[] = [];
after(() => {
  for (const c of closers) c();
});

const notice = (over: Partial<Extract<Notice, { kind: 'alert' }>['alert']> = {}): Notice => ({
  kind: 'alert',
  alert: { id: 'a1', detector: 'ssh-bruteforce', title: 'SSH brute force', severity: 'high', time: Date.UTC(2026, 0, 1), count: 12, sourceIp: '203.0.113.9', simulated: false, remedy: 'block ip 203.0.113.9 for 240m', link: 'https://console.example/alerts/a1', ...over },
});

async function httpServer(status = 200): Promise<{ url: string; got: { headers: http.IncomingHttpHeaders; body: string }[] }> {
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=s3cret`, got };
}

describe('webhook and Slack notifiers', () => {
  it('posts a signed body the receiver can verify', async () => {
    const srv = await httpServer();
    const box = new Outbox(new WebhookTransport({ url: srv.url, secret: 'a-webhook-secret-16+' }));
    box.push(notice());
    assert.equal(await box.drain(5000), true);
    assert.equal(box.delivered, 1);
    const { headers, body } = srv.got[0]!;
    const mac = createHmac('sha256', 'a-webhook-secret-16+').update(`${String(headers['x-mamori-timestamp'])}.${body}`).digest('hex');
    assert.equal(headers['x-mamori-signature'], `sha256=${mac}`);
    const j = JSON.parse(body) as { type: string; alert: { link: string } };
    assert.equal(j.type, 'alert');
    assert.equal(j.alert.link, 'https://console.example/alerts/a1');
  });

  it('a 4xx is not retried; a 500 is; the error names no token', async () => {
    const srv = await httpServer(404);
    const errors: Error[] = [];
    const box = new Outbox(new WebhookTransport({ url: srv.url }), { retries: 2, retryDelayMs: 1, onError: (e) => void errors.push(e as Error) });
    box.push(notice());
    await box.drain(5000);
    assert.equal(srv.got.length, 1);
    assert.equal(box.failed, 1);
    assert.match(errors[0]!.message, /webhook http:\/\/127\.0\.0\.1:\d+\/hook: a alert notice was not delivered: the receiver answered 404/);
    assert.ok(!errors[0]!.message.includes('s3cret'));
    const five = await httpServer(500);
    const box5 = new Outbox(new WebhookTransport({ url: five.url }), { retries: 2, retryDelayMs: 1, onError: () => {} });
    box5.push(notice());
    await box5.drain(5000);
    assert.equal(five.got.length, 3);
  });

  it('a receiver that accepts and never answers: each attempt times out, the queue stays bounded, drops counted', async () => {
    const held: http.ServerResponse[] = [];
    const server = http.createServer((_req, res) => void held.push(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const errors: Error[] = [];
    const box = new Outbox(new WebhookTransport({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }), { timeoutMs: 50, retries: 0, maxQueue: 3, onError: (e) => void errors.push(e as Error) });
    for (let i = 0; i < 10; i++) box.push(notice({ id: `n${i}` }));
    assert.ok(box.queued <= 3);
    assert.equal(box.dropped, 6, 'one in flight, three queued, six dropped');
    assert.equal(await box.drain(10_000), true);
    assert.equal(box.failed, 4);
    assert.match(errors[0]!.message, /abort|timeout/i);
  });

  it('Slack: text and blocks, log text escaped, a link to the alert', async () => {
    const srv = await httpServer();
    const box = new Outbox(new SlackTransport({ url: srv.url }));
    box.push(notice({ title: '<script> & <@U123|x>' }));
    await box.drain(5000);
    const j = JSON.parse(srv.got[0]!.body) as ReturnType<typeof slackBody>;
    assert.match(j.text, /^mamori high: &lt;script&gt; &amp; &lt;@U123\|x&gt; from 203\.0\.113\.9$/);
    const blocks = JSON.stringify(j.blocks);
    assert.ok(!blocks.includes('<script>'));
    assert.ok(blocks.includes('<https://console.example/alerts/a1|View the alert in mamori>'));
    assert.equal(mrkdwn('a<b>&c'), 'a&lt;b&gt;&amp;c');
  });
});

describe('syslog CEF', () => {
  it('escapes | and \\ in the header, \\ = and line ends in extensions', () => {
    assert.equal(cefHeader('a|b\\c\nd'), 'a\\|b\\\\c d');
    assert.equal(cefValue('x=1\\2\r\n|'), 'x\\=1\\\\2\\r\\n|');
    const { line } = cef(notice({ title: 'evil|title', detector: 'det\\x', sourceIp: '203.0.113.9' }));
    assert.match(line, /^CEF:0\|mamori\|mamori\|0\.1\.0\|det\\\\x\|evil\\\|title\|8\|rt=1767225600000 cnt=12 src=203\.0\.113\.9 cs1Label=alertId cs1=a1 /);
    assert.match(line, /cs3=https:\/\/console\.example\/alerts\/a1/);
    // Seven unescaped pipes split the header from the extension, whatever the title held.
    const fields: string[] = [''];
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '\\') fields[fields.length - 1] = `${fields.at(-1)!}${line[i]!}${line[++i]!}`;
      else if (line[i] === '|' && fields.length < 8) fields.push('');
      else fields[fields.length - 1] = `${fields.at(-1)!}${line[i]!}`;
    }
    assert.deepEqual(fields.slice(4, 7), ['det\\\\x', 'evil\\|title', '8']);
    assert.match(fields[7]!, /^rt=/);
  });

  it('sends over UDP, one datagram per notice', async () => {
    const sock = dgram.createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString()));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    closers.push(() => sock.close());
    const t = new SyslogTransport({ host: '127.0.0.1', port: sock.address().port, protocol: 'udp', hostname: 'web1', now: () => Date.UTC(2026, 0, 1) });
    const box = new Outbox(t);
    box.push(notice());
    box.push({ kind: 'digest', from: 0, to: 1, alerts: 40, groups: [{ detector: 'd', title: 't', severity: 'critical', alerts: 40, lastId: 'z' }], moreGroups: 0, moreAlerts: 0 });
    await box.drain(5000);
    await box.close();
    for (let i = 0; i < 200 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(got.length, 2);
    assert.match(got[0]!, /^<83>1 2026-01-01T00:00:00\.000Z web1 mamori - alert - CEF:0\|mamori\|mamori\|0\.1\.0\|ssh-bruteforce\|SSH brute force\|8\|/);
    assert.match(got[1]!, /^<82>1 .* CEF:0\|mamori\|mamori\|0\.1\.0\|digest\|mamori alert digest \(40 alerts\)\|10\|.*cnt=40 .*msg=40 alerts .*grouped:\\n  40 x t/);
  });

  it('sends over TCP, newline-framed or octet-counted, on one connection', async () => {
    for (const framing of ['newline', 'octet-counting'] as const) {
      let data = '';
      let conns = 0;
      const server = net.createServer((s) => {
        conns++;
        s.setEncoding('utf8');
        s.on('data', (c: string) => (data += c));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      closers.push(() => server.close());
      const box = new Outbox(new SyslogTransport({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, protocol: 'tcp', framing }));
      box.push(notice({ id: 'one' }));
      box.push(notice({ id: 'two', title: 'line\nbreak' }));
      await box.drain(5000);
      await box.close();
      for (let i = 0; i < 200 && (data.match(/CEF:0/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(conns, 1);
      if (framing === 'newline') {
        const lines = data.split('\n').filter(Boolean);
        assert.equal(lines.length, 2);
        assert.match(lines[1]!, /cs1=two .*msg=high: line\\nbreak/);
      } else {
        const m = /^(\d+) /.exec(data)!;
        const first = data.slice(m[0].length, m[0].length + Number(m[1]));
        assert.match(first, /cs1=one/);
        assert.match(data.slice(m[0].length + Number(m[1])), /^\d+ <\d+>1 /);
      }
    }
  });
});
