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
  const sink = new WebhookSink({ url: 'http://127.0.0.1:9/', fetch: failing, retries: 2, maxQueue: 3 });
  for (let i = 0; i < 10; i++) sink.emit(event('lockout'));
  await sink.drain();
  assert.equal(sink.failed + sink.delivered + sink.dropped, 10);
  assert.ok(sink.dropped >= 6, `dropped ${sink.dropped}`);
  assert.equal(calls, sink.failed * 3);
});
