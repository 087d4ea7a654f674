/** The WAF's body pool (what the Express handler and the Fastify and Hono adapters hold of bodies at once). */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { LARGE_BODY_BYTES } from '../proxy/limits.js';
import { BodyPool } from './waf-guard.js';

const GROUPING = { ipv4Prefix: 32, ipv6Prefix: 64 };
const KIB = 1024;

/** Takes a body of `size` bytes in chunks of 64 KiB, as it arrives; the first refusal, if any. */
function takeBody(pool: BodyPool, ip: string, size: number): { held: number; refused: 429 | 503 | undefined } {
  let held = 0;
  while (held < size) {
    const n = Math.min(64 * KIB, size - held);
    held += n;
    const over = pool.take(ip, n, held);
    if (over) return { held, refused: over };
  }
  return { held, refused: undefined };
}

it('holds bodies up to a share per source (429) and a total (503), and gives them back', () => {
  const pool = new BodyPool(1024 * KIB, 300 * KIB, GROUPING);
  assert.equal(takeBody(pool, '198.51.100.1', 100 * KIB).refused, undefined);
  const second = takeBody(pool, '198.51.100.1', 250 * KIB);
  assert.equal(second.refused, 429, "past the source's share");
  pool.give('198.51.100.1', 100 * KIB);
  pool.give('198.51.100.1', second.held);
  assert.equal(pool.total, 0);
  assert.equal(pool.large, 0);
});

it('lets large bodies (uploads) take at most half of the pool: forms from others still fit', () => {
  const pool = new BodyPool(1024 * KIB, 300 * KIB, GROUPING);
  // Three stalled uploads of 200 KiB from three addresses: the third passes half the pool (512 KiB).
  assert.equal(takeBody(pool, '198.51.100.1', 200 * KIB).refused, undefined);
  assert.equal(takeBody(pool, '198.51.100.2', 200 * KIB).refused, undefined);
  const third = takeBody(pool, '198.51.100.3', 200 * KIB);
  assert.equal(third.refused, 503);
  pool.give('198.51.100.3', third.held);
  assert.equal(pool.large, 400 * KIB);
  // Forms (under 128 KiB each) from others use the rest.
  for (let i = 0; i < 4; i++) assert.equal(takeBody(pool, `203.0.113.${i}`, LARGE_BODY_BYTES - KIB).refused, undefined, `form ${i}`);
  pool.give('198.51.100.1', 200 * KIB);
  assert.equal(pool.large, 200 * KIB, 'a finished upload gives its large bytes back');
});
