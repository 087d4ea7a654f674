import { it } from 'node:test';
import assert from 'node:assert/strict';
import { supportMatrix, countUsage } from './support.js';
import { ACTIONS, CTL_OPTIONS, DIRECTIVES, OPERATORS, TRANSFORMATIONS, VARIABLES } from './registry.js';
import { parseSecLang } from './parser.js';

it('the support matrix has one row per registry entry, and counts when given usage', () => {
  const md = supportMatrix();
  for (const d of DIRECTIVES) assert.ok(md.includes(`| \`${d.name}\` |`), d.name);
  for (const v of VARIABLES) assert.ok(md.includes(`| \`${v.name}\` |`), v.name);
  for (const o of OPERATORS) assert.ok(md.includes(`| \`@${o.name}\` |`), o.name);
  for (const t of TRANSFORMATIONS) assert.ok(md.includes(`| \`t:${t.name}\` |`), t.name);
  for (const a of ACTIONS) assert.ok(md.includes(`| \`${a.name}\` |`), a.name);
  for (const c of CTL_OPTIONS) assert.ok(md.includes(`| \`ctl:${c.name}\` |`), c.name);
  const rows = md.split('\n').filter((l) => /^\| `/.test(l)).length;
  assert.equal(rows, DIRECTIVES.length + VARIABLES.length + OPERATORS.length + TRANSFORMATIONS.length + ACTIONS.length + CTL_OPTIONS.length);
  const r = parseSecLang('SecRule ARGS|ARGS:x "@rx a" "id:1,pass,t:none,t:lowercase,t:none"', 'x.conf');
  assert.ok(r.ok);
  const u = countUsage(r.config);
  assert.equal(u.variables.get('ARGS'), 2);
  assert.equal(u.transformations.get('none'), 2);
  const withUsage = supportMatrix({ usage: u, usageLabel: 'here' });
  assert.ok(withUsage.includes('| `t:none` | 2 |'));
  assert.ok(withUsage.includes('| `@rx` | optional | 1 |'));
});

it('adds an Engine column for the kinds the caller says the engine runs', () => {
  const md = supportMatrix({ engine: { operators: (n) => n === 'rx', transformations: () => true } });
  assert.ok(md.includes('| Operator | Argument | Engine | Description |'));
  assert.ok(md.includes('| `@rx` | optional | yes |'));
  assert.ok(md.includes('| `@pm` | required | no |'));
  assert.ok(md.includes('| `t:none` | yes |'));
  assert.ok(md.includes('| Action | Group | Value | Chain links | Description |'), 'no column where nothing was said');
});
