/**
 * The packages' public API, as users import it: every name each entry point exports
 * (values, read from the module itself; types, read from its declaration file) must be
 * in public-api.json, and everything there must still be exported. A name that appears
 * or goes without that list changing fails here: adding one to the list is announcing it
 * (and a release note), removing one is a breaking change. `mamori/internal` is not in
 * the list: it is documented as unstable.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../../', import.meta.url);
const LIST = fileURLToPath(new URL('test/e2e/public-api.json', root));

interface Entry {
  /** What users import: 'mamori', 'mamori/testing', '@mamori/express', ... */
  specifier: string;
  /** Its declaration file, from the repository's root. */
  declarations: string;
}

const ENTRIES: Entry[] = [
  { specifier: 'mamori', declarations: 'packages/mamori/dist/index.d.ts' },
  { specifier: 'mamori/testing', declarations: 'packages/mamori/dist/testing.d.ts' },
  { specifier: 'mamori/waf', declarations: 'packages/mamori/dist/waf/index.d.ts' },
  { specifier: 'mamori/errors', declarations: 'packages/mamori/dist/core/errors.d.ts' },
  { specifier: '@mamori/store-sqlite', declarations: 'packages/store-sqlite/dist/index.d.ts' },
  { specifier: '@mamori/store-redis', declarations: 'packages/store-redis/dist/index.d.ts' },
  { specifier: '@mamori/express', declarations: 'packages/express/dist/index.d.ts' },
  { specifier: '@mamori/fastify', declarations: 'packages/fastify/dist/index.d.ts' },
  { specifier: '@mamori/hono', declarations: 'packages/hono/dist/index.d.ts' },
  { specifier: '@mamori/demo-shop', declarations: 'packages/demo-shop/dist/index.d.ts' },
  { specifier: '@mamori/host', declarations: 'packages/host/dist/index.d.ts' },
  { specifier: '@mamori/host/fim', declarations: 'packages/host/dist/fim/index.d.ts' },
  { specifier: '@mamori/vuln', declarations: 'packages/vuln/dist/index.d.ts' },
  { specifier: '@mamori/detect', declarations: 'packages/detect/dist/index.d.ts' },
];

/**
 * Every name a declaration file exports, as `name` (a value) or `type name` (a type only).
 * `export *` is refused: an entry point lists its names, so none comes in unseen.
 */
export function declaredExports(dts: string): { names: Set<string>; starExports: string[] } {
  const names = new Set<string>();
  const starExports: string[] = [];
  const text = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of text.matchAll(/^export \*.*$/gm)) starExports.push(m[0]);
  for (const m of text.matchAll(/^export (type )?\{([^}]*)\}/gm)) {
    for (const raw of m[2]!.split(',')) {
      const item = raw.trim();
      if (!item) continue;
      const isType = m[1] !== undefined || item.startsWith('type ');
      const name = item.replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim();
      names.add(isType ? `type ${name}` : name);
    }
  }
  for (const m of text.matchAll(/^export (?:declare )?(?:abstract )?(function|const|let|class|enum|interface|type|namespace) ([A-Za-z_$][\w$]*)/gm)) {
    names.add(m[1] === 'interface' || m[1] === 'type' ? `type ${m[2]}` : m[2]!);
  }
  if (/^export default /m.test(text)) names.add('default');
  return { names, starExports };
}

describe('the public API', () => {
  const listed = JSON.parse(readFileSync(LIST, 'utf8')) as Record<string, string[]>;

  it('lists exactly the entry points checked here', () => {
    assert.deepEqual(Object.keys(listed).sort(), ENTRIES.map((e) => e.specifier).sort());
  });

  for (const entry of ENTRIES) {
    it(`${entry.specifier} exports what public-api.json lists, no more and no less`, async () => {
      const dts = readFileSync(new URL(entry.declarations, root), 'utf8');
      const { names, starExports } = declaredExports(dts);
      assert.deepEqual(starExports, [], `${entry.declarations} re-exports a whole module: list its names instead`);
      const mod = (await import(entry.specifier)) as Record<string, unknown>;
      const values = Object.keys(mod).sort();
      // The declarations and the module agree on the values (a value that is declared but not
      // exported at run time, or the reverse, is a packaging bug).
      const declaredValues = [...names].filter((n) => !n.startsWith('type ')).sort();
      assert.deepEqual(values, declaredValues, `${entry.specifier}: the module's values and its declaration file differ`);
      const actual = [...names].sort();
      const expected = [...(listed[entry.specifier] ?? [])].sort();
      const added = actual.filter((n) => !expected.includes(n));
      const removed = expected.filter((n) => !actual.includes(n));
      assert.deepEqual(
        { added, removed },
        { added: [], removed: [] },
        `${entry.specifier}'s public API changed: add new names to test/e2e/public-api.json (they become public: say so in the release notes), ` +
          `or keep what is gone (removing a public name breaks users); internals go to mamori/internal`,
      );
    });
  }

  it("each package's entry points (package.json exports) are the listed ones", () => {
    const subpaths: Record<string, string[]> = {
      mamori: ['.', './errors', './internal', './internal/*', './package.json', './schema.json', './testing', './waf'],
      'store-sqlite': ['.'],
      'store-redis': ['.'],
      express: ['.'],
      fastify: ['.'],
      hono: ['.'],
      'demo-shop': ['.'],
      host: ['.', './fim'],
      vuln: ['.'],
      detect: ['.'],
      cli: ['.'],
    };
    for (const [dir, expected] of Object.entries(subpaths)) {
      const pkg = JSON.parse(readFileSync(new URL(`packages/${dir}/package.json`, root), 'utf8')) as { exports: Record<string, unknown> };
      assert.deepEqual(Object.keys(pkg.exports).sort(), expected, `packages/${dir}: a new entry point is public API too`);
    }
  });

  it('reads type and value exports out of a declaration file', () => {
    const { names, starExports } = declaredExports(
      "export { a, type B, c as d } from './x.js';\nexport type { E } from './e.js';\nexport interface F {\n}\nexport declare const g: 1;\nexport default g;\nexport * from './h.js';\n",
    );
    assert.deepEqual([...names].sort(), ['a', 'd', 'default', 'g', 'type B', 'type E', 'type F'].sort());
    assert.deepEqual(starExports, ["export * from './h.js';"]);
  });
});
