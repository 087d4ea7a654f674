import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inferYear, parseAnyTime, parseCtime, parseEpoch, parseHttpDate, parseIsoTime, parseSlashTime, parseSyslogTime } from './time.js';

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

describe('time formats', () => {
  it('HTTP dates with their offsets', () => {
    assert.equal(iso(parseHttpDate('03/Dec/2026:14:00:00 +0000')), '2026-12-03T14:00:00.000Z');
    assert.equal(iso(parseHttpDate('03/Dec/2026:23:30:00 +0930')), '2026-12-03T14:00:00.000Z');
    assert.equal(iso(parseHttpDate('03/Dec/2026:09:00:00 -0500')), '2026-12-03T14:00:00.000Z');
    for (const bad of ['03/Foo/2026:14:00:00 +0000', '32/Dec/2026:14:00:00 +0000', '03/Dec/2026:25:00:00 +0000', '03/Dec/2026:14:00:00 +2500', '03/Dec/2026:14:00:00 x0000', '']) assert.equal(parseHttpDate(bad), undefined, bad);
  });
  it('ISO 8601 / RFC 3339', () => {
    assert.equal(iso(parseIsoTime('2026-12-03T14:00:00Z')), '2026-12-03T14:00:00.000Z');
    assert.equal(iso(parseIsoTime('2026-12-03T23:00:00.123456789+09:00')), '2026-12-03T14:00:00.123Z');
    assert.equal(iso(parseIsoTime('2026-12-03 14:00:00,5-0100')), '2026-12-03T15:00:00.500Z');
    assert.equal(iso(parseIsoTime('2026-12-03T14:00:00', 'utc')), '2026-12-03T14:00:00.000Z');
    assert.equal(parseIsoTime('2026-02-30T14:00:00Z'), undefined);
    assert.equal(parseIsoTime('2026-12-03T14:00:00Zjunk'), undefined);
  });
  it('a time without a zone is local time unless told utc', () => {
    assert.equal(parseSlashTime('2026/12/03 14:00:00'), new Date(2026, 11, 3, 14, 0, 0).getTime());
    assert.equal(parseSlashTime('2026/12/03 14:00:00', 'utc'), Date.UTC(2026, 11, 3, 14));
    assert.equal(parseSyslogTime('Dec  3 14:00:00', Date.UTC(2026, 11, 3, 15))?.time, new Date(2026, 11, 3, 14, 0, 0).getTime());
    assert.equal(parseCtime('Thu Dec 03 14:00:00.5 2026', 'utc'), Date.UTC(2026, 11, 3, 14, 0, 0, 500));
  });
  it('syslog times: the year from the receive time, across the new year either way', () => {
    const at = (s: string) => Date.parse(s);
    assert.equal(inferYear(11, 31, at('2027-01-01T00:00:05Z'), 'utc'), 2026);
    assert.equal(inferYear(0, 1, at('2026-12-31T23:59:58Z'), 'utc'), 2027);
    assert.equal(inferYear(5, 1, at('2026-12-03T00:00:00Z'), 'utc'), 2026);
    assert.equal(inferYear(11, 9, at('2026-12-03T00:00:00Z'), 'utc'), 2026, 'six days ahead: clock skew, same year');
    assert.equal(inferYear(11, 20, at('2026-12-03T00:00:00Z'), 'utc'), 2025, 'weeks ahead: last year');
    const t = parseSyslogTime('Dec 03 14:00:00.123456 rest', at('2026-12-03T15:00:00Z'), 'utc');
    assert.deepEqual(t, { time: Date.UTC(2026, 11, 3, 14, 0, 0, 123), length: 22 });
  });
  it('epoch numbers in s, ms, µs and ns', () => {
    const ms = Date.UTC(2026, 11, 3, 14);
    assert.equal(parseEpoch(ms / 1000), ms);
    assert.equal(parseEpoch(ms), ms);
    assert.equal(parseEpoch(String(ms * 1000)), ms);
    assert.equal(parseEpoch(`${ms}000000`), ms);
    assert.equal(parseEpoch('12'), undefined);
    assert.equal(parseEpoch(-5), undefined);
    assert.equal(parseAnyTime('03/Dec/2026:14:00:00 +0000'), ms);
    assert.equal(parseAnyTime({}), undefined);
  });
});
