import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMamoriError } from 'mamori';
import { discoverWordPress, headerField } from './wordpress.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function write(path: string, text: string | Buffer): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/** A WordPress tree as the installer leaves it, with what attackers and time leave in it too. */
function site(): string {
  const root = mkdtempSync(join(tmpdir(), 'mamori-vuln-wp-'));
  dirs.push(root);
  const outside = mkdtempSync(join(tmpdir(), 'mamori-vuln-outside-'));
  dirs.push(outside);
  write(join(root, 'wp-includes', 'version.php'), "<?php\n/**\n * The WordPress version string.\n *\n * @global string $wp_version\n */\n$wp_version = '6.4.3';\n\n$wp_db_version = 56657;\n");
  const p = join(root, 'wp-content', 'plugins');
  write(join(p, 'index.php'), '<?php\n// Silence is golden.\n');
  write(join(p, 'wp-file-manager', 'file_folder_manager.php'), "<?php\n/**\n  Plugin Name: WP File Manager\n  Plugin URI: https://wordpress.org/plugins/wp-file-manager\n  Description: Manage your WP files.\n  Author: mndpsingh287\n  Version: 6.8\n  Author URI: https://profiles.wordpress.org/mndpsingh287\n**/\n");
  write(join(p, 'wp-file-manager', 'lib', 'php', 'x.php'), '<?php // not read: only the plugin folder\'s own files carry the header');
  // The header on the second of several files; the first is helper code.
  write(join(p, 'contact-form-7', 'includes.php'), '<?php\n// helpers\n');
  write(join(p, 'contact-form-7', 'wp-contact-form-7.php'), "<?php\n/*\nPlugin Name: Contact Form 7\nVersion: 5.9.3 */\n");
  // No Version: header: the readme's Stable tag, with a note.
  write(join(p, 'old-plugin', 'old-plugin.php'), '<?php\n/*\nPlugin Name: Old Plugin\n*/\n');
  write(join(p, 'old-plugin', 'readme.txt'), '=== Old Plugin ===\nContributors: someone\nStable tag: 1.2.3\n\n== Description ==\n');
  // A readme saying trunk: no version.
  write(join(p, 'trunk-plugin', 'readme.txt'), '=== T ===\nStable tag: trunk\n');
  // A single-file plugin, with a CRLF header and a PHP closing tag after the value.
  write(join(p, 'hello.php'), '<?php\r\n/*\r\nPlugin Name: Hello Dolly\r\nVersion: 1.7.2 ?>\r\n*/\r\n');
  // Weird versions: kept as written, or skipped with a note when no asset may hold them.
  write(join(p, 'weird', 'weird.php'), `<?php\n/*\nPlugin Name: Weird\nVersion: ${'9'.repeat(300)}\n*/\n`);
  write(join(p, 'beta', 'beta.php'), '<?php\n/*\nPlugin Name: Beta\nVersion: 2.0.0-beta.1+build.7 (nightly)\n*/\n');
  // A header past the first 8 KiB is not a header (WordPress reads 8 KiB too).
  write(join(p, 'late', 'late.php'), `<?php\n${'// padding\n'.repeat(1000)}/*\nPlugin Name: Late\nVersion: 1.0\n*/\n`);
  // Links out of the tree are not followed; a link inside it is.
  write(join(outside, 'evil', 'evil.php'), '<?php\n/*\nPlugin Name: Evil\nVersion: 6.6.6\n*/\n');
  symlinkSync(join(outside, 'evil'), join(p, 'evil'));
  write(join(outside, 'passwd.php'), '<?php\n/*\nPlugin Name: Passwd\nVersion: 0.0.1\n*/\n');
  mkdirSync(join(p, 'linked-file'));
  symlinkSync(join(outside, 'passwd.php'), join(p, 'linked-file', 'linked-file.php'));
  symlinkSync(join(p, 'contact-form-7'), join(p, 'cf7-alias'));
  // A FIFO would block a reader that opened it: it is refused as not a regular file.
  mkdirSync(join(p, 'fifo-plugin'));
  execFileSync('mkfifo', [join(p, 'fifo-plugin', 'fifo-plugin.php')]);
  // A huge file: only its head is read.
  write(join(p, 'huge', 'huge.php'), Buffer.concat([Buffer.from('<?php\n/*\nPlugin Name: Huge\nVersion: 3.1\n*/\n'), Buffer.alloc(20 * 1024 * 1024, 0x41)]));
  const t = join(root, 'wp-content', 'themes');
  write(join(t, 'twentytwentyfour', 'style.css'), '/*\nTheme Name: Twenty Twenty-Four\nTheme URI: https://wordpress.org/themes/twentytwentyfour/\nVersion: 1.0\nText Domain: twentytwentyfour\n*/\n');
  write(join(t, 'broken', 'style.css'), 'body { color: red }\n');
  write(join(t, 'index.php'), '<?php\n');
  return root;
}

describe('WordPress discovery', () => {
  it('core, plugins (header, readme fallback, single file) and themes, each with its origin; links out of the tree and FIFOs not read', () => {
    const root = site();
    const d = discoverWordPress(root, { site: 'shop', owner: 'web', exposure: 'internet' });
    const got = d.assets.map((a) => [a.name, a.type, a.product, a.version, a.origin!.slice(root.length)]);
    assert.deepEqual(got, [
      ['shop/wordpress', 'wordpress', 'wordpress', '6.4.3', '/wp-includes/version.php'],
      ['shop/beta', 'wordpress-plugin', 'beta', '2.0.0-beta.1+build.7 (nightly)', '/wp-content/plugins/beta/beta.php'],
      ['shop/cf7-alias', 'wordpress-plugin', 'cf7-alias', '5.9.3', '/wp-content/plugins/cf7-alias/wp-contact-form-7.php'],
      ['shop/contact-form-7', 'wordpress-plugin', 'contact-form-7', '5.9.3', '/wp-content/plugins/contact-form-7/wp-contact-form-7.php'],
      ['shop/hello', 'wordpress-plugin', 'hello', '1.7.2', '/wp-content/plugins/hello.php'],
      ['shop/huge', 'wordpress-plugin', 'huge', '3.1', '/wp-content/plugins/huge/huge.php'],
      ['shop/old-plugin', 'wordpress-plugin', 'old-plugin', '1.2.3', '/wp-content/plugins/old-plugin/readme.txt'],
      ['shop/wp-file-manager', 'wordpress-plugin', 'wp-file-manager', '6.8', '/wp-content/plugins/wp-file-manager/file_folder_manager.php'],
      ['shop/themes/twentytwentyfour', 'wordpress-theme', 'twentytwentyfour', '1.0', '/wp-content/themes/twentytwentyfour/style.css'],
    ]);
    for (const a of d.assets) assert.deepEqual([a.owner, a.exposure, a.criticality], ['web', 'internet', 'medium']);
    const notes = d.notes.map((n) => n.replaceAll(root, ''));
    const has = (re: RegExp) => assert.ok(notes.some((n) => re.test(n)), `no note like ${re}:\n${notes.join('\n')}`);
    has(/^\/wp-content\/plugins\/evil: a symbolic link out of .* not followed$/);
    has(/^\/wp-content\/plugins\/linked-file\/linked-file\.php: a symbolic link out of/);
    has(/^\/wp-content\/plugins\/old-plugin: \/wp-content\/plugins\/old-plugin\/old-plugin\.php has no Version: header; readme\.txt's Stable tag 1\.2\.3 used, which says what was published, not what is installed$/);
    has(/^\/wp-content\/plugins\/trunk-plugin: no plugin version found/);
    has(/^\/wp-content\/plugins\/late: no plugin version found/);
    has(/weird\.php: weird: version "9{40}" skipped \(empty, longer than 128 characters/);
    has(/^\/wp-content\/themes\/broken\/style\.css: no Theme Name: header: not a theme$/);
    assert.ok(!d.assets.some((a) => a.product === 'evil' || a.version === '6.6.6' || a.version === '0.0.1'));
    has(/^\/wp-content\/plugins\/fifo-plugin: no plugin version found/);
    has(/^\/wp-content\/plugins\/linked-file: no plugin version found/);
    assert.equal(d.notes.length, 9, notes.join('\n'));
  });

  it('a directory that is not WordPress: notes, no assets; a missing directory: an error', () => {
    const empty = mkdtempSync(join(tmpdir(), 'mamori-vuln-empty-'));
    dirs.push(empty);
    const d = discoverWordPress(empty);
    assert.equal(d.assets.length, 0);
    assert.equal(d.notes.length, 3);
    assert.match(d.notes[0]!, /wp-includes\/version\.php: .*not found: WordPress core's version unknown/);
    assert.throws(() => discoverWordPress(join(empty, 'nope')), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY'));
  });

  it('version.php without the assignment, or the assignment in a comment-looking line, is read by its own line only', () => {
    const root = mkdtempSync(join(tmpdir(), 'mamori-vuln-wp2-'));
    dirs.push(root);
    write(join(root, 'wp-includes', 'version.php'), "<?php\n// $wp_version = '1.0';  (an old line, commented out)\n$wp_version = \"6.5-RC1-57841\";\n");
    assert.equal(discoverWordPress(root, { site: 's' }).assets[0]!.version, '6.5-RC1-57841');
    write(join(root, 'wp-includes', 'version.php'), '<?php\n$wp_version = get_version();\n');
    const d = discoverWordPress(root, { site: 's' });
    assert.equal(d.assets.length, 0);
    assert.match(d.notes[0]!, /no \$wp_version assignment found/);
  });

  it('header parsing is linear on a pathological line', () => {
    const evil = `${'*'.repeat(8000)}${' \t'.repeat(100)}Versio`;
    const start = process.hrtime.bigint();
    assert.equal(headerField(evil.repeat(1), 'Version'), undefined);
    assert.equal(headerField(`${'/'.repeat(5000)}Version:${' '.repeat(3000)}1.0${' */'.repeat(10)}`, 'Version'), '1.0');
    // Reported, not asserted (no timed assertions): a few ms.
    process.stdout.write(`# headerField on 8 KiB of hostile text: ${Number(process.hrtime.bigint() - start) / 1e6} ms\n`);
  });

  it("Debian's wordpress package (MAMORI_WP_DIR, default /usr/share/wordpress)", (t) => {
    const dir = process.env.MAMORI_WP_DIR ?? (process.env.MAMORI_WP_IXR ? join(process.env.MAMORI_WP_IXR, '..', '..') : '/usr/share/wordpress');
    if (!existsSync(join(dir, 'wp-includes', 'version.php'))) {
      t.skip(`no WordPress at ${dir} (apt-get install wordpress, or set MAMORI_WP_DIR)`);
      return;
    }
    const d = discoverWordPress(dir, { site: 'debian' });
    const core = d.assets.find((a) => a.type === 'wordpress');
    assert.ok(core, d.notes.join('\n'));
    assert.match(core.version, /^\d+\.\d+(\.\d+)?/);
    // Debian ships Akismet in the package's wp-content.
    const akismet = d.assets.find((a) => a.product === 'akismet');
    if (existsSync(join(dir, 'wp-content', 'plugins', 'akismet'))) {
      assert.ok(akismet, d.notes.join('\n'));
      assert.match(akismet.version, /^\d+\.\d+/);
      assert.match(akismet.origin!, /akismet\/akismet\.php$/);
    }
    process.stdout.write(`# ${dir}: ${d.assets.map((a) => `${a.name} ${a.version}`).join(', ')}\n`);
  });
});
