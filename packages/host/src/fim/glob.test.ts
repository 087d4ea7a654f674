import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from 'mamori';
import { compileGlob } from './glob.js';
import { RuleSet, parseAttributes } from './rules.js';
import { attrNames } from './types.js';
import { asText, shortDiff } from './diff.js';

describe('fim globs', () => {
  const cases: [string, string, boolean][] = [
    ['*.log', 'a.log', true],
    ['*.log', 'deep/down/a.log', true],
    ['*.log', 'a.log.1', false],
    ['cache/**', 'cache', true],
    ['cache/**', 'cache/x/y', true],
    ['cache/**', 'sub/cache/x', false],
    ['**/cache', 'sub/cache', true],
    ['**/cache', 'cache', true],
    ['/etc/*.conf', 'etc/a.conf', true],
    ['etc/*.conf', 'etc/sub/a.conf', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['[a-c]x', 'bx', true],
    ['[!a-c]x', 'bx', false],
    ['[!a-c]x', 'dx', true],
    ['*a*b*c', 'xaybzc', true],
    ['*a*b*c', 'xaybz', false],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['wp-*/**/*.php', 'wp-content/plugins/x/y.php', true],
  ];
  for (const [g, p, want] of cases) {
    it(`${g} ${want ? 'matches' : 'does not match'} ${p}`, () => assert.equal(compileGlob(g).match(p), want));
  }
  it('an attacker-made long name against many stars costs its length times the pattern, not more', () => {
    const g = compileGlob('*a*a*a*a*a*a*a*a*a*a*b');
    assert.equal(g.match('a'.repeat(5000)), false);
    assert.equal(g.match(`${'a'.repeat(5000)}b`), true);
  });
  it('refuses malformed globs with where', () => {
    assert.throws(() => compileGlob('[abc', 'paths[0].exclude[1]'), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_RULES') && /paths\[0\]\.exclude\[1\]/.test((e as Error).message));
    assert.throws(() => compileGlob(''), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_RULES'));
    assert.throws(() => compileGlob('[z-a]'), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_RULES'));
  });
});

describe('fim attribute sets', () => {
  it('reads AIDE-style expressions', () => {
    assert.deepEqual(attrNames(parseAttributes('R')), ['type', 'size', 'mode', 'uid', 'gid', 'inode', 'nlink', 'mtime', 'ctime', 'sha256', 'target']);
    assert.deepEqual(attrNames(parseAttributes('R-m-c')), ['type', 'size', 'mode', 'uid', 'gid', 'inode', 'nlink', 'sha256', 'target']);
    assert.deepEqual(attrNames(parseAttributes('p+u+g+sha256')), ['mode', 'uid', 'gid', 'sha256']);
    assert.deepEqual(attrNames(parseAttributes('perms')), ['type', 'mode', 'uid', 'gid']);
    assert.equal(parseAttributes('E'), 0);
  });
  it('refuses unknown names, naming them', () => {
    assert.throws(() => parseAttributes('R+md5', 'x.yaml: paths[0].attributes'), /unknown attribute "md5"/);
    assert.throws(() => parseAttributes('toString'), /unknown attribute/);
    assert.throws(() => parseAttributes(''), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_RULES'));
  });
  it('the most specific root governs, and excluded ancestors exclude', () => {
    const rs = new RuleSet({ paths: [{ path: '/srv/www', exclude: ['/cache', '*.tmp'] }, { path: '/srv/www/uploads', attributes: 'perms' }] });
    assert.equal(rs.ruleFor('/srv/www/uploads/a.jpg')?.root, '/srv/www/uploads');
    assert.equal(rs.ruleFor('/srv/www/index.php')?.root, '/srv/www');
    assert.equal(rs.ruleFor('/srv/wwwx'), undefined);
    assert.equal(rs.covers('/srv/www/cache/x/y'), false);
    assert.equal(rs.covers('/srv/www/x/y'), true);
    // A name pattern excludes files, not directories (an attacker could name one x.tmp).
    assert.equal(rs.covers('/srv/www/x.tmp'), false);
    assert.equal(rs.covers('/srv/www/x.tmp/shell.php'), true);
    assert.equal(rs.covers('/srv/www/x.tmp', true), true);
    assert.throws(() => new RuleSet({ paths: [{ path: 'relative' }] }), /absolute path/);
    assert.throws(() => new RuleSet({ paths: [{ path: '/a' }, { path: '/a/' }] }), /listed twice/);
  });
});

describe('fim diffs', () => {
  it('shows the changed lines with context, removed before added', () => {
    const d = shortDiff('a\nb\nc\nd\n', 'a\nb\nX\nd\n');
    assert.equal(d, '@@ -3 +3 @@\n  b\n- c\n+ X\n  d');
  });
  it('caps long diffs and cleans control characters', () => {
    const d = shortDiff('', Array.from({ length: 100 }, (_, i) => `line ${i}\u001b[31m`).join('\n'), 10);
    assert.equal(d.split('\n').length, 12); // the header, 10 lines, the count of the rest
    assert.match(d, /more lines/);
    assert.doesNotMatch(d, /\u001b/);
  });
  it('treats NUL bytes, bad UTF-8 and big files as binary', () => {
    assert.equal(asText(Buffer.from('ok\n')), 'ok\n');
    assert.equal(asText(Buffer.from([0x61, 0, 0x62])), undefined);
    assert.equal(asText(Buffer.from([0xff, 0xfe])), undefined);
    assert.equal(asText(Buffer.alloc(70_000, 0x61)), undefined);
  });
});
