import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from '../core/errors.js';
import { checkTarget, isLoopbackHost, sameOrigin } from './target.js';
import { runSimulation } from './runner.js';
import type { SimFetch } from './types.js';

describe('checkTarget', () => {
  it('accepts loopback targets and returns their origin', () => {
    assert.equal(checkTarget('http://127.0.0.1:8080/shop?x=1').href, 'http://127.0.0.1:8080/');
    assert.equal(checkTarget('http://127.45.6.7').origin, 'http://127.45.6.7');
    assert.equal(checkTarget('http://localhost:3000').origin, 'http://localhost:3000');
    assert.equal(checkTarget('https://LOCALHOST.').hostname, 'localhost.');
    assert.equal(checkTarget('http://[::1]:8080').origin, 'http://[::1]:8080');
  });

  it('refuses anything off this machine with MAMORI_ERR_SIM_TARGET', () => {
    for (const t of [
      'http://192.0.2.1:8080',
      'http://example.com',
      'https://127.0.0.1.example.com',
      'http://localhost.example.com',
      'http://[2001:db8::1]',
      'http://[::ffff:192.0.2.1]',
      'http://0.0.0.0:8080',
      'http://10.0.0.1',
    ]) {
      assert.throws(() => checkTarget(t), (e) => isMamoriError(e, 'MAMORI_ERR_SIM_TARGET'), t);
    }
  });

  it('refuses non-http schemes, credentials and non-URLs even when the target is owned', () => {
    for (const t of ['ftp://127.0.0.1', 'file:///etc/passwd', 'http://u:p@127.0.0.1', '127.0.0.1:8080', 'not a url']) {
      assert.throws(() => checkTarget(t, { iOwnTheTarget: true }), (e) => isMamoriError(e, 'MAMORI_ERR_SIM_TARGET'), t);
    }
  });

  it('accepts a remote target only when the operator owns it', () => {
    assert.equal(checkTarget('https://shop.example.com/', { iOwnTheTarget: true }).origin, 'https://shop.example.com');
  });

  it('isLoopbackHost covers 127/8, ::1 and localhost only', () => {
    assert.ok(isLoopbackHost('127.255.0.1'));
    assert.ok(isLoopbackHost('[::1]'));
    assert.ok(!isLoopbackHost('128.0.0.1'));
    assert.ok(!isLoopbackHost('::2'));
    assert.ok(!isLoopbackHost('localhostx'));
  });

  it('sameOrigin keeps paths on the target and rejects other origins', () => {
    const t = new URL('http://127.0.0.1:8080');
    assert.equal(sameOrigin(t, '/.mamori/challenge')?.href, 'http://127.0.0.1:8080/.mamori/challenge');
    assert.equal(sameOrigin(t, '//evil.example/x'), undefined);
    assert.equal(sameOrigin(t, 'http://127.0.0.1:9090/x'), undefined);
    assert.equal(sameOrigin(t, 'https://127.0.0.1:8080/x'), undefined);
  });
});

describe('runSimulation target safety', () => {
  it('sends nothing when the target is not on loopback', async () => {
    let calls = 0;
    const fetch: SimFetch = async () => {
      calls++;
      return new Response(null, { status: 401 });
    };
    await assert.rejects(runSimulation('brute-force', { target: 'http://198.51.100.10:8080', attempts: 5, fetch }), (e) => isMamoriError(e, 'MAMORI_ERR_SIM_TARGET'));
    assert.equal(calls, 0);
  });
});
