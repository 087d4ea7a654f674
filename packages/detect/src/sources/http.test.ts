import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { collector, until } from './collect.case.js';
import { HttpSource, type HttpSourceOptions } from './http.js';

const TOKEN = 'test-token-0123456789abcdef';

function post(port: number, body: string | Buffer, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, method = 'POST', path = '/events'): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString() || '{}') as Record<string, unknown>, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function started(extra: Partial<HttpSourceOptions> = {}, hook?: () => Promise<void> | void): Promise<{ s: HttpSource; port: number; c: ReturnType<typeof collector> }> {
  const s = new HttpSource({ token: TOKEN, port: 0, ...extra });
  const c = collector(hook);
  await s.start(c.consumer);
  assert.equal(s.address().host, '127.0.0.1');
  return { s, port: s.address().port, c };
}

describe('HttpSource', () => {
  it('takes an array or JSON lines, and answers 202 once the lines are acknowledged', async () => {
    let acked = 0;
    const { s, port, c } = await started({}, () => {
      acked++;
    });
    const a = await post(port, JSON.stringify([{ event: 'login', user: 'a' }, { event: 'logout' }]));
    assert.deepEqual([a.status, a.body], [202, { accepted: 2 }]);
    assert.equal(acked, 1, 'answered after the consumer took the batch');
    const b = await post(port, '{"n":1}\n\n{"n":2}\r\n{"n":3}\n');
    assert.deepEqual([b.status, b.body], [202, { accepted: 3 }]);
    assert.deepEqual(c.texts(), ['{"event":"login","user":"a"}', '{"event":"logout"}', '{"n":1}', '{"n":2}', '{"n":3}']);
    assert.deepEqual([c.lines[0]!.input, c.lines[0]!.meta?.peer], ['http', '127.0.0.1']);
    await s.stop();
  });

  it('refuses without the token, with another token, over the size bound, and bad JSON, saying why', async () => {
    const { s, port, c } = await started({ maxBodyBytes: 1000, maxLineBytes: 64 });
    const none = await post(port, '{}', {});
    assert.deepEqual([none.status, none.headers['www-authenticate']], [401, 'Bearer']);
    const wrong = await post(port, '{}', { authorization: `Bearer ${TOKEN}x` });
    assert.deepEqual([wrong.status, wrong.body.error], [401, 'wrong bearer token']);
    assert.equal((await post(port, '{}', { authorization: `Basic ${TOKEN}` })).status, 401);
    const big = await post(port, `[${'{"a":1},'.repeat(200)}{}]`);
    assert.deepEqual([big.status, big.body.error], [413, 'the body is over 1000 bytes']);
    const chunked = await post(port, Buffer.alloc(5000, 0x20), { authorization: `Bearer ${TOKEN}`, 'transfer-encoding': 'chunked' });
    assert.equal(chunked.status, 413);
    assert.deepEqual((await post(port, '{"a":1}\nnope\n')).body, { error: 'line 2 is not JSON' });
    assert.deepEqual((await post(port, '[{"a":1}, 3]')).body, { error: 'element 1 is not a JSON object' });
    assert.deepEqual((await post(port, '{"a":1')).status, 400);
    assert.equal((await post(port, '['.repeat(900))).status, 400, 'deep nesting is a bad body, not a crash');
    assert.deepEqual((await post(port, Buffer.from([0x7b, 0xff, 0x7d]))).body, { error: 'the body is not UTF-8' });
    assert.equal((await post(port, '', undefined, 'GET')).status, 405);
    assert.equal((await post(port, '[]', undefined, 'POST', '/other')).status, 404);
    const long = await post(port, JSON.stringify({ text: 'x'.repeat(500) }));
    assert.equal(long.status, 202);
    await s.stop();
    assert.equal(c.lines.length, 1);
    assert.equal(c.lines[0]!.truncated, true);
    assert.ok(Buffer.byteLength(c.lines[0]!.text) <= 64);
    assert.equal(s.counters.skipped, 5);
  });

  it('answers 429 over its rate and 503 while the queue is full, counting the lines', async () => {
    const { s, port } = await started({ ratePerSecond: 0.001, burst: 3 });
    assert.equal((await post(port, '[{},{}]')).status, 202);
    const over = await post(port, '[{},{}]');
    assert.deepEqual([over.status, over.headers['retry-after']], [429, '1']);
    assert.equal(s.counters.overRate, 2);
    await s.stop();

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = await started({ maxQueued: 2 }, () => gate);
    // Two lines with the consumer, two queued: the queue (2) has no room for a fifth.
    const first = post(q.port, '[{},{}]');
    await until(() => q.s.counters.bytes > 0, 'the first request read');
    const second = post(q.port, '[{},{}]');
    await until(() => q.s.counters.bytes > 7, 'the second request read');
    const full = await post(q.port, '[{}]');
    assert.equal(full.status, 503);
    release();
    assert.equal((await first).status, 202);
    assert.equal((await second).status, 202);
    await q.s.stop();
    assert.equal(q.s.counters.queueFull, 1);
  });

  it('will not start without a long enough token', () => {
    assert.throws(() => new HttpSource({ token: 'short' }), { code: 'MAMORI_ERR_WATCH_SOURCE' });
  });
});
