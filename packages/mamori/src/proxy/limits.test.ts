import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PROXY_LIMITS, resolveLimits } from './limits.js';

describe('proxy limits', () => {
  it('a larger body limit raises what a client and all clients may hold, and the time a body may take', () => {
    const d = resolveLimits();
    assert.equal(d.maxBufferedPerClientBytes, DEFAULT_PROXY_LIMITS.maxBufferedPerClientBytes);
    assert.equal(d.bufferedBodyTimeoutMs, DEFAULT_PROXY_LIMITS.bufferedBodyTimeoutMs);
    const big = resolveLimits({ maxBufferedBodyBytes: 16 * 1024 * 1024 });
    assert.equal(big.maxBufferedPerClientBytes, 16 * 1024 * 1024, 'one upload of the full size fits');
    assert.equal(big.maxBufferedTotalBytes, 128 * 1024 * 1024);
    assert.equal(big.bufferedBodyTimeoutMs, 131_072, 'at 128 KiB a second');
    const given = resolveLimits({ maxBufferedBodyBytes: 16 * 1024 * 1024, maxBufferedPerClientBytes: 2 * 1024 * 1024, bufferedBodyTimeoutMs: 5_000 });
    assert.deepEqual([given.maxBufferedPerClientBytes, given.bufferedBodyTimeoutMs], [2 * 1024 * 1024, 5_000], 'what is given stands');
    assert.throws(() => resolveLimits({ maxBufferedBodyBytes: -1 }), /must be a positive integer/);
  });
});
