import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebhookSink } from './webhook.js';
import type { SecurityEvent } from '../core/events.js';

const event = (action: string): SecurityEvent => ({
  '@timestamp': '2026-11-27T00:00:00.000Z',
  'event.action': action,
  'event.category': 'authentication',
  'source.ip': '203.0.113.5',
});

it('delivers chosen events, signed, to a local webhook; skips the others', async () => {
  const got: { body: string; sig?: string; ts?: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ body, sig: req.headers['x-mamori-signature'] as string, ts: req.headers['x-mamori-timestamp'] as string });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const sink = new WebhookSink({ url, secret: 'webhook-secret-123456' });
  sink.emit(event('login-failure'));
  sink.emit(event('lockout'));
  sink.emit(event('login-success-after-failures'));
  await sink.drain();
  server.close();
  assert.equal(got.length, 2);
  const first = JSON.parse(got[0]!.body);
  assert.equal(first.type, 'lockout');
  assert.equal(first.event['source.ip'], '203.0.113.5');
  const expected = createHmac('sha256', 'webhook-secret-123456').update(`${got[0]!.ts}.${got[0]!.body}`).digest('hex');
  assert.equal(got[0]!.sig, `sha256=${expected}`);
  assert.equal(sink.delivered, 2);
});

it('retries server errors, gives up without throwing, and bounds its queue', async () => {
  let calls = 0;
  const failing = (async () => {
    calls++;
    return new Response('no', { status: 503 });
  }) as typeof fetch;
  const sink = new WebhookSink({ url: 'http://127.0.0.1:9/', fetch: failing, retries: 2, retryDelayMs: 1, maxQueue: 3, onError: () => {} });
  for (let i = 0; i < 10; i++) sink.emit(event('lockout'));
  await sink.drain();
  assert.equal(sink.failed + sink.delivered + sink.dropped, 10);
  assert.ok(sink.dropped >= 6, `dropped ${sink.dropped}`);
  assert.equal(calls, sink.failed * 3);
});

it('built without onError, a dead and a silent receiver never throw into the host: failures are warned about at most once a minute', async () => {
  const silent = createServer(() => {
    // Never answers.
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const rejections: unknown[] = [];
  const onRejection = (err: unknown): void => {
    rejections.push(err);
  };
  process.on('unhandledRejection', onRejection);
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warned.push(args.join(' '));
  try {
    const dead = new WebhookSink({ url: `http://127.0.0.1:${closedPort}/hook`, retries: 1, retryDelayMs: 1 });
    const slow = new WebhookSink({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`, timeoutMs: 200, retries: 0, maxQueue: 2 });
    const reported: string[] = [];
    const slowReported = new WebhookSink({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`, timeoutMs: 200, retries: 0, maxQueue: 1, report: (e) => reported.push(String(e['event.reason'])) });
    for (let i = 0; i < 5; i++) for (const s of [dead, slow, slowReported]) s.emit(event('lockout'));
    assert.equal(await dead.drain(5000), true);
    assert.equal(await slow.drain(5000), true);
    assert.equal(await slowReported.drain(5000), true);
    assert.equal(dead.failed, 5);
    assert.equal(slow.failed + slow.dropped, 5);
    assert.equal(slowReported.dropped, 3);
    assert.equal(reported.length, 1, 'dropped deliveries are reported once a minute at most');
    assert.match(reported[0]!, /webhook deliveries to http:\/\/127\.0\.0\.1:\d+\/hook dropped/);
    // Each sink warns once (the rest within the minute are counted, not printed).
    assert.equal(warned.length, 3, warned.join('\n'));
    assert.match(warned[0]!, /^mamori: webhook http:\/\/127\.0\.0\.1:\d+\/hook: a lockout event was not delivered/);
    // An error handler that throws stays inside too.
    const throwing = new WebhookSink({ url: `http://127.0.0.1:${closedPort}/`, retries: 0, onError: () => { throw new Error('handler'); } });
    throwing.emit(event('lockout'));
    assert.equal(await throwing.drain(5000), true);
    // A drain with a deadline does not wait on a receiver that never answers.
    const stuck = new WebhookSink({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, timeoutMs: 60_000, retries: 0 });
    stuck.emit(event('lockout'));
    assert.equal(await stuck.drain(50), false);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(rejections, []);
  } finally {
    console.warn = warn;
    process.off('unhandledRejection', onRejection);
    silent.closeAllConnections();
    silent.close();
  }
});

it('a receiver answering with an endless body costs the sink nothing: the body is dropped unread (red team 9)', async () => {
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 97);
  const endless = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
    };
    res.on('drain', pump);
    pump();
  });
  await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
  // A timeout far longer than the test: only dropping the body can end the delivery.
  const sink = new WebhookSink({ url: `http://127.0.0.1:${(endless.address() as AddressInfo).port}/hook`, timeoutMs: 600_000, retries: 0, onError: () => {} });
  sink.emit(event('lockout'));
  const emptied = await sink.drain(30_000);
  await sink.close(0);
  endless.closeAllConnections();
  await new Promise<void>((r) => endless.close(() => r()));
  assert.equal(emptied, true, 'the delivery never ended: the sink was reading the endless answer');
  assert.equal(sink.delivered, 1);
  assert.ok(written < 64 * 1024 * 1024, `the receiver got ${written} bytes out before the sink let go`);
});

it('a failed delivery is reported without the credentials or query of the webhook URL (red team 9)', async () => {
  const errors: string[] = [];
  const sink = new WebhookSink({ url: 'http://hookuser:SUPERSECRETTOKEN@127.0.0.1:9/hook?token=QUERYSECRET', retries: 0, onError: (err) => errors.push(String(err instanceof Error ? err.message : err)) });
  sink.emit(event('lockout'));
  await sink.drain();
  assert.equal(errors.length, 1);
  assert.doesNotMatch(errors[0]!, /SUPERSECRETTOKEN|QUERYSECRET|hookuser/);
});
