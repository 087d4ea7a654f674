import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addVia, connectionNamesEndToEnd, connectionTokens, stripHopByHop } from './hop-by-hop.js';

describe('stripHopByHop', () => {
  it('removes the fixed hop-by-hop headers', () => {
    const out = stripHopByHop({
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'proxy-authenticate': 'Basic',
      'proxy-authorization': 'Basic eA==',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'x-checksum',
      'transfer-encoding': 'chunked',
      upgrade: 'websocket',
      accept: 'text/html',
    });
    assert.deepEqual(out, { accept: 'text/html' });
  });

  it('removes the headers named in Connection, in any case and spacing', () => {
    const out = stripHopByHop({ connection: ' X-Secret ,x-other', 'x-secret': '1', 'x-other': '2', 'x-kept': '3' });
    assert.deepEqual(out, { 'x-kept': '3' });
    assert.deepEqual([...connectionTokens(['a, B', 'c'])], ['a', 'b', 'c']);
  });

  it('never lets Connection remove host or content-length', () => {
    const out = stripHopByHop({ connection: 'host, content-length', host: 'a.example', 'content-length': '3' });
    assert.deepEqual(out, { host: 'a.example', 'content-length': '3' });
  });

  it('keeps the hop-by-hop headers it is told to keep, and copies arrays', () => {
    const cookies = ['a=1', 'b=2'];
    const out = stripHopByHop({ connection: 'Upgrade', upgrade: 'websocket', 'set-cookie': cookies }, new Set(['connection', 'upgrade']));
    assert.deepEqual(out, { connection: 'Upgrade', upgrade: 'websocket', 'set-cookie': ['a=1', 'b=2'] });
    assert.notEqual(out['set-cookie'], cookies);
  });

  it('finds a Connection token naming an end-to-end header the request carries', () => {
    assert.equal(connectionNamesEndToEnd({ connection: 'Content-Type', 'content-type': 'application/json' }), 'content-type');
    assert.equal(connectionNamesEndToEnd({ connection: ['close', 'X-A'], 'x-a': '1' }), 'x-a');
    // Absent headers and the hop-by-hop ones may be named.
    assert.equal(connectionNamesEndToEnd({ connection: 'close, keep-alive, content-type' }), undefined);
    assert.equal(connectionNamesEndToEnd({ connection: 'Upgrade, HTTP2-Settings, TE', upgrade: 'h2c', 'http2-settings': 'x', te: 'trailers' }), undefined);
    assert.equal(connectionNamesEndToEnd({ 'content-type': 'text/plain' }), undefined);
  });

  it('appends to Via', () => {
    const h: Record<string, string | string[]> = {};
    addVia(h);
    assert.equal(h['via'], '1.1 mamori');
    const h2: Record<string, string | string[]> = { via: '1.0 cache' };
    addVia(h2);
    assert.equal(h2['via'], '1.0 cache, 1.1 mamori');
  });
});
