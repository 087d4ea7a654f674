#!/usr/bin/env node
/**
 * What each of mamori's YARA rules costs to scan, alone, over the files of a tree.
 *
 *   node bench/scan-rules.mjs [--tree DIR] [--ext .php] [--family php|asp|jsp|other] [--top 20] [--leave-one-out]
 *
 * Every rule of the family is compiled on its own and run over the tree's files with that
 * extension (read into memory first), three times; the best CPU time is printed less the floor, a
 * rule of one literal no file holds (one pass of YARA-X's atom search over the bytes). A rule
 * whose cost stands far above the others has a string whose atoms are common words, each hit
 * verified by its pattern: the case to rewrite (session 27: a pattern starting at "__" cost 110 ms
 * over MediaWiki's PHP; one reaching back from "Eval" or "Process" to a "<%" 430 ms over its
 * JavaScript). The tree defaults to Debian's MediaWiki as bench/scan.mjs finds it.
 */
import { compile } from '@litko/yara-x';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { tree: { type: 'string' }, ext: { type: 'string', default: '.php' }, family: { type: 'string', default: 'php' }, top: { type: 'string', default: '20' }, 'leave-one-out': { type: 'boolean', default: false } } });
const tree = values.tree ?? [process.env.MAMORI_SCAN_TREES, '/var/cache/mamori-ci'].filter(Boolean).map((b) => join(b, 'mediawiki', 'usr/share/mediawiki')).find((p) => existsSync(p));
if (!tree) {
  console.error('no tree: give --tree DIR (or unpack Debian\'s mediawiki under /var/cache/mamori-ci/mediawiki, as bench/scan.mjs says)');
  process.exit(1);
}
const { BUILTIN_RULES, STAGED_RULES } = await import('../packages/host/dist/scan/rules/index.js');
const { ruleFamily, RULE_FAMILY, sitesOf } = await import('../packages/host/dist/scan/yara.js');
const want = RULE_FAMILY[values.family];
if (want === undefined) {
  console.error(`--family is one of ${Object.keys(RULE_FAMILY).join(', ')}`);
  process.exit(1);
}
// Each rule with the text before the first rule of its file (imports, comments).
const DECL = /^(?:private\s+|global\s+)*rule\s+(\w+)/gm;
const rules = [];
for (const f of BUILTIN_RULES) {
  const at = [...f.source.matchAll(DECL)];
  const head = f.source.slice(0, at[0]?.index ?? 0);
  // (a staged rule as the scans compile it: its sites alone, STAGED_RULES; the whole rule runs only where one is found)
  at.forEach((m, i) => {
    const own = f.source.slice(m.index, at[i + 1]?.index);
    rules.push({ name: m[1], source: head + (STAGED_RULES.has(m[1]) ? sitesOf(m[1], own, STAGED_RULES.get(m[1])) : own) });
  });
}
const files = [];
(function walk(d) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && p.endsWith(values.ext)) files.push(readFileSync(p));
  }
})(tree);
const ext = values.ext.replace(/^\./, '');
const vars = { filename: `a.${ext}`, filepath: `/a.${ext}`, extension: ext, filetype: '' };
const options = { defineVariables: { filename: '', filepath: '', extension: '', filetype: '' } };
const cpu = (y) => {
  let best = Infinity;
  for (let i = 0; i < 4; i++) {
    const t = process.cpuUsage();
    for (const b of files) y.scan(b, vars);
    const d = process.cpuUsage(t);
    if (i > 0) best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
};
const floor = cpu(compile('rule floor { strings: $a = "mamori-none-\u0001-holds" condition: $a }', options));
if (values['leave-one-out']) {
  // The family's rules compiled together, as the scanner compiles them (with the rest's rules for
  // PHP, as PHP_SET in yara.ts), and the same without each rule in turn: what a rule adds to the
  // pass the scanner makes (atoms shared with others cost less than alone; one rule's common atom
  // can make the others' verification dearer too).
  const set = rules.filter((x) => ruleFamily(x.name) === want || (want === RULE_FAMILY.php && ruleFamily(x.name) === RULE_FAMILY.other));
  const all = cpu(compile(set.map((r) => r.source).join('\n'), options));
  const out = [];
  for (const r of set) {
    let y;
    try {
      y = compile(set.filter((x) => x !== r).map((x) => x.source).join('\n'), options);
    } catch {
      continue; // (a private rule others name)
    }
    out.push([r.name, all - cpu(y)]);
  }
  out.sort((a, b) => b[1] - a[1]);
  console.log(`${files.length} files *${values.ext}; ${set.length} rules together: ${all.toFixed(0)} ms (the floor, one literal: ${floor.toFixed(0)} ms)`);
  console.log('CPU ms the set saves without each rule, best of three:');
  for (const [name, ms] of out.slice(0, Number(values.top))) console.log(`${ms.toFixed(0).padStart(7)}  ${name}`);
  process.exit(0);
}
const costs = [];
for (const r of rules.filter((x) => ruleFamily(x.name) === want)) {
  let y;
  try {
    y = compile(r.source, options);
  } catch {
    continue; // (a rule that names a private rule of its file is compiled with the rest only)
  }
  costs.push([r.name, cpu(y) - floor]);
}
costs.sort((a, b) => b[1] - a[1]);
console.log(`${files.length} files *${values.ext} (${(files.reduce((a, b) => a + b.length, 0) / 1e6).toFixed(1)} MB) in ${tree}; ${costs.length} ${values.family} rules; the floor (one literal) ${floor.toFixed(0)} ms`);
console.log(`CPU ms above the floor, best of three:`);
for (const [name, ms] of costs.slice(0, Number(values.top))) console.log(`${ms.toFixed(0).padStart(7)}  ${name}`);
