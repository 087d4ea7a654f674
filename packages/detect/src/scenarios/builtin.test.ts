import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FieldValue, LogEvent } from '../model.js';
import { ScenarioEngine } from './engine.js';
import { loadBuiltinScenarios } from './load.js';

const TESTDATA = fileURLToPath(new URL('../../src/scenarios/testdata/', import.meta.url));
const T0 = Date.parse('2026-01-01T00:00:00Z');

interface CaseEvent { at: number; fields: Record<string, FieldValue>; repeat?: number; every?: number }
interface Case { name: string; events: CaseEvent[]; expect: { group: Record<string, FieldValue>; count?: number }[] }

/** The case's events, `{i}` in text fields replaced by the repetition's index. */
export function caseEvents(events: readonly CaseEvent[]): LogEvent[] {
  const out: LogEvent[] = [];
  for (const e of events) {
    for (let i = 0; i < (e.repeat ?? 1); i++) {
      const fields: Record<string, FieldValue> = {};
      for (const [k, v] of Object.entries(e.fields)) fields[k] = typeof v === 'string' ? v.replaceAll('{i}', String(i)) : v;
      const time = T0 + Math.round((e.at + i * (e.every ?? 0)) * 1000);
      out.push({ time, fields, line: { text: JSON.stringify(fields), input: 'case', receivedAt: time } });
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

const cases = JSON.parse(readFileSync(`${TESTDATA}scenario-cases.json`, 'utf8')) as Record<string, Case[]>;
const builtin = loadBuiltinScenarios();

describe('built-in scenarios: log samples and the alerts they must (and must not) raise', () => {
  it('every built-in scenario has cases, at least one of them alerting, and every case names a built-in scenario', () => {
    const ids = builtin.scenarios.map((s) => s.id).sort();
    assert.deepEqual(Object.keys(cases).sort(), ids);
    for (const id of ids) assert.ok(cases[id]!.some((c) => c.expect.length > 0), `${id} has no alerting case`);
    assert.equal(ids.length, 20);
  });

  let ran = 0;
  for (const [id, list] of Object.entries(cases)) {
    for (const c of list) {
      it(`${id}: ${c.name}`, () => {
        // The whole built-in set runs, as in production; only this scenario's alerts are compared.
        const engine = new ScenarioEngine(builtin.scenarios);
        const alerts = caseEvents(c.events).flatMap((e) => [...engine.onEvent(e)]).filter((a) => a.detector === id);
        assert.equal(alerts.length, c.expect.length, JSON.stringify(alerts.map((a) => ({ group: a.group, count: a.count, time: a.time - T0 }))));
        c.expect.forEach((want, i) => {
          const got = alerts[i]!;
          assert.deepEqual(got.group, want.group);
          if (want.count !== undefined) assert.equal(got.count, want.count);
          assert.equal(got.kind, 'scenario');
          assert.ok(got.samples.length >= 1 && got.samples.length <= 5);
          assert.match(got.id, /^[0-9a-f]{24}$/);
        });
        ran++;
      });
    }
  }
  it('ran every case', () => {
    assert.equal(ran, Object.values(cases).reduce((n, l) => n + l.length, 0));
    assert.equal(ran, 65);
  });
});
