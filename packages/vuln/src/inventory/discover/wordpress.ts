/**
 * A WordPress install read from its files, without credentials and without running PHP:
 *
 * - core: `wp-includes/version.php`, the assignment `$wp_version = '6.4.3';`;
 * - plugins: `wp-content/plugins/<slug>/*.php`, the file whose header names the plugin
 *   (`Plugin Name:`) and its `Version:`; `readme.txt`'s `Stable tag:` when the header has no
 *   version (with a note: the readme says what the author published, not what is installed);
 *   single-file plugins (`wp-content/plugins/hello.php`) too;
 * - themes: `wp-content/themes/<slug>/style.css`, its `Theme Name:` and `Version:` header.
 *
 * WordPress reads those headers from a file's first 8 KiB, and so does this; links out of the
 * tree are not followed.
 */
import { basename, join } from 'node:path';
import { Collector, type DiscoverOptions, type Discovery } from './common.js';
import { Tree } from './files.js';

const HEAD_BYTES = 8 * 1024;
const MAX_VERSION_PHP = 64 * 1024;
const MAX_ENTRIES = 5000;
const MAX_PHP_PER_PLUGIN = 200;

// `$wp_version = '6.4.3';` on a line of its own, as WordPress ships it. Linear: no nested or
// adjacent overlapping quantifiers.
const WP_VERSION = /^[ \t]*\$wp_version[ \t]*=[ \t]*(['"])([^'"\r\n]{1,64})\1[ \t]*;/m;

/** One `Name: value` header field of a plugin file or a style sheet, as WordPress reads it. */
export function headerField(text: string, field: string): string | undefined {
  const lines = text.split(/\r\n|\r|\n/, HEAD_BYTES);
  const want = field.toLowerCase();
  for (const line of lines) {
    // The field may follow comment marks and spaces: ` * Version: 1.2`, `# Version: 1.2`.
    let i = 0;
    while (i < line.length && ' \t/*#@'.includes(line[i]!)) i++;
    const colon = line.indexOf(':', i);
    if (colon < 0 || line.slice(i, colon).trim().toLowerCase() !== want) continue;
    // WordPress cuts the value at a closing comment or a closing PHP tag.
    let v = line.slice(colon + 1);
    const end = Math.min(...['*/', '?>'].map((m) => v.indexOf(m)).filter((x) => x >= 0), v.length);
    v = v.slice(0, end).trim();
    if (v !== '') return v;
  }
  return undefined;
}

export function discoverWordPress(root: string, opts: DiscoverOptions & { site?: string } = {}): Discovery {
  const tree = new Tree(root);
  const site = opts.site ?? (basename(tree.root.replace(/\/+$/, '')) || 'wordpress');
  const c = new Collector({ ...opts, prefix: `${opts.prefix ?? ''}${site}/` });

  const versionFile = join(root, 'wp-includes', 'version.php');
  const vf = tree.read(versionFile, MAX_VERSION_PHP, true);
  if ('why' in vf) c.note(`${versionFile}: ${vf.why}: WordPress core's version unknown`);
  else {
    const m = WP_VERSION.exec(vf.text);
    if (m) c.add('wordpress', 'wordpress', 'wordpress', m[2]!, versionFile);
    else c.note(`${versionFile}: no $wp_version assignment found: WordPress core's version unknown`);
  }

  const content = join(root, 'wp-content');
  plugins(tree, c, join(content, 'plugins'));
  themes(tree, c, join(content, 'themes'));
  return c.result();
}

function plugins(tree: Tree, c: Collector, dir: string): void {
  const list = tree.list(dir, MAX_ENTRIES);
  if (!list) {
    c.note(`${dir}: ${whyNot(tree, dir)}: no plugins read`);
    return;
  }
  if (list.more) c.note(`${dir}: more than ${MAX_ENTRIES} entries: the rest not read`);
  for (const name of list.names) {
    const path = join(dir, name);
    if (name.startsWith('.')) continue;
    if (name.endsWith('.php') && !tree.isDir(path)) {
      // A single-file plugin (hello.php); index.php is WordPress's "silence is golden".
      if (name === 'index.php') continue;
      const r = tree.read(path, HEAD_BYTES);
      if ('why' in r) {
        c.note(`${path}: ${r.why}`);
        continue;
      }
      if (!headerField(r.text, 'Plugin Name')) continue;
      const v = headerField(r.text, 'Version');
      if (v) c.add('wordpress-plugin', name.slice(0, -4), name.slice(0, -4), v, path);
      else c.note(`${path}: a plugin without a Version: header: skipped`);
      continue;
    }
    if (!tree.isDir(path)) {
      const inside = tree.inside(path);
      if ('why' in inside) c.note(`${path}: ${inside.why}`);
      continue;
    }
    plugin(tree, c, path, name);
  }
}

function plugin(tree: Tree, c: Collector, dir: string, slug: string): void {
  const files = tree.list(dir, MAX_ENTRIES);
  if (!files) return;
  let tried = 0;
  let namedWithoutVersion: string | undefined;
  for (const f of files.names) {
    if (!f.endsWith('.php')) continue;
    if (++tried > MAX_PHP_PER_PLUGIN) break;
    const path = join(dir, f);
    const r = tree.read(path, HEAD_BYTES);
    if ('why' in r) {
      if (!r.why.includes('not a regular file')) c.note(`${path}: ${r.why}`);
      continue;
    }
    if (!headerField(r.text, 'Plugin Name')) continue;
    const v = headerField(r.text, 'Version');
    if (v) {
      c.add('wordpress-plugin', slug, slug, v, path);
      return;
    }
    namedWithoutVersion ??= path;
  }
  const readme = join(dir, 'readme.txt');
  const r = tree.read(readme, HEAD_BYTES);
  const stable = 'text' in r ? headerField(r.text, 'Stable tag') : undefined;
  if (stable && stable.toLowerCase() !== 'trunk') {
    c.add('wordpress-plugin', slug, slug, stable, readme);
    c.note(`${dir}: ${namedWithoutVersion ? `${namedWithoutVersion} has no Version: header` : 'no plugin file with a Plugin Name: header'}; readme.txt's Stable tag ${stable} used, which says what was published, not what is installed`);
    return;
  }
  c.note(`${dir}: no plugin version found (no Version: header in a plugin file, no Stable tag in readme.txt): skipped`);
}

function themes(tree: Tree, c: Collector, dir: string): void {
  const list = tree.list(dir, MAX_ENTRIES);
  if (!list) {
    c.note(`${dir}: ${whyNot(tree, dir)}: no themes read`);
    return;
  }
  if (list.more) c.note(`${dir}: more than ${MAX_ENTRIES} entries: the rest not read`);
  for (const slug of list.names) {
    const path = join(dir, slug);
    if (slug.startsWith('.')) continue;
    if (!tree.isDir(path)) {
      const inside = tree.inside(path);
      if ('why' in inside) c.note(`${path}: ${inside.why}`);
      continue;
    }
    const css = join(path, 'style.css');
    const r = tree.read(css, HEAD_BYTES);
    if ('why' in r) {
      c.note(`${css}: ${r.why}: theme skipped`);
      continue;
    }
    if (!headerField(r.text, 'Theme Name')) {
      c.note(`${css}: no Theme Name: header: not a theme`);
      continue;
    }
    const v = headerField(r.text, 'Version');
    if (v) c.add('wordpress-theme', `themes/${slug}`, slug, v, css);
    else c.note(`${css}: a theme without a Version: header: skipped`);
  }
}

function whyNot(tree: Tree, dir: string): string {
  const r = tree.inside(dir);
  return 'why' in r ? r.why : 'not a directory';
}
