import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginEvents } from './login-events.js';
import type { SecurityEvent } from '../core/events.js';

test('LoginEvents: @timestamp is what toISOString gives, across days, years, odd times and going back', () => {
  const got: SecurityEvent[] = [];
  const clock = { t: 0, now: () => clock.t };
  const events = new LoginEvents({ emit: (e) => got.push(e) }, clock, false);
  const times = [0, 1, 86_399_999, 86_400_000, 1_780_000_000_000, 1_780_000_000_000.5, 1_780_000_000_001, 951_782_400_000, 951_868_799_999, -1, -86_400_001, 253_402_300_799_999, 253_402_300_800_000, 1_779_999_999_999];
  let t = 1_780_000_000_000;
  for (let i = 0; i < 2_000; i++) times.push((t += (i * 7919) % 100_000_000));
  for (const now of times) {
    clock.t = now;
    events.emitCounted('login-failure', { ip: '192.0.2.1', username: 'a' }, 'h', 'failure', 1);
    assert.equal(got.at(-1)!['@timestamp'], new Date(now).toISOString(), `at ${now}`);
  }
  events.emit('lockout', { ip: '192.0.2.1', username: 'a' }, 'h', 'failure', { 'event.reason': 'r' }, 86_400_000 * 3 + 5);
  assert.equal(got.at(-1)!['@timestamp'], new Date(86_400_000 * 3 + 5).toISOString());
  assert.equal(got.at(-1)!['event.reason'], 'r');
});
