import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.js';
import { isMamoriError } from './errors.js';

describe('parseDuration', () => {
  it('reads each unit and plain milliseconds', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('7d'), 604_800_000);
    assert.equal(parseDuration(' 0s '), 0);
    assert.equal(parseDuration(1234), 1234);
  });
  it('rejects anything else with MAMORI_ERR_CONFIG_DURATION naming where it was', () => {
    for (const bad of ['', '15', '15 m', '1.5h', '-1s', '1w', 'm', '1234567890s', 'x'.repeat(100_000)]) {
      assert.throws(() => parseDuration(bad, 'guard.window'), (e) => isMamoriError(e, 'MAMORI_ERR_CONFIG_DURATION') && e.message.startsWith('guard.window') && e.message.length < 200, bad.slice(0, 20));
    }
    for (const bad of [-1, Number.NaN, Infinity]) assert.throws(() => parseDuration(bad), (e) => isMamoriError(e, 'MAMORI_ERR_CONFIG_DURATION'));
  });
});

describe('formatDuration', () => {
  it('uses the largest exact unit', () => {
    assert.equal(formatDuration(604_800_000), '7d');
    assert.equal(formatDuration(7_200_000), '2h');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(1500), '1500ms');
    assert.equal(formatDuration(0), '0ms');
  });
  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1000, 61_000, 3_600_000, 86_400_000 * 3]) assert.equal(parseDuration(formatDuration(ms)), ms);
  });
});
