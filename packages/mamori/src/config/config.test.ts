import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, loadConfig, defaultConfig, configWarnings, LOGIN_DEFAULTS } from './config.js';
import { expandPreset, PRESET_NAMES } from './presets.js';
import { CONFIG_SCHEMA } from './schema.js';
import type { LoginYaml, MamoriYaml } from './yaml-types.js';
import { isMamoriError, type MamoriError } from '../core/errors.js';

const root = new URL('../../../../', import.meta.url);

function problemOf(text: string): MamoriError {
  try {
    parseConfig(text, 'test.yaml');
  } catch (err) {
    assert.ok(isMamoriError(err), `expected a MamoriError, got ${String(err)}`);
    return err;
  }
  assert.fail('config was accepted');
}

describe('config', () => {
  it('the published schema file is the schema mamori validates with', () => {
    const published = JSON.parse(readFileSync(new URL('schema/mamori.schema.json', root), 'utf8'));
    assert.deepEqual(published, JSON.parse(JSON.stringify(CONFIG_SCHEMA)), 'run `npx mamori config schema > schema/mamori.schema.json`');
  });

  it('the demo config loads', () => {
    const c = loadConfig(new URL('packages/cli/config/demo.yaml', root).pathname);
    assert.equal(c.logins[0]!.path, '/login');
    assert.deepEqual(c.logins[0]!.username, { form: 'email' });
    assert.equal(c.demo.trustLoopbackForwardedFor, true);
    assert.ok(Object.isFrozen(c.logins[0]));
  });

  it('defaults follow the documented values', () => {
    const c = defaultConfig();
    assert.equal(c.loginProtection.user.closeAfter, LOGIN_DEFAULTS.user.closeAfter);
    assert.ok(c.loginProtection.user.closeAfter <= 100, 'NIST SP 800-63B: no more than 100 consecutive failures');
    assert.equal(c.network.ipv6Prefix, 64);
    assert.deepEqual(c.network.trustedProxies, [], 'X-Forwarded-For is off by default');
    assert.equal(c.store.kind, 'sqlite');
  });

  it('store.read_text_entries (Redis, an upgrade from the text layout): off unless set, a boolean only', () => {
    assert.equal(parseConfig('store:\n  kind: redis\n', 't.yaml').store.readTextEntries, undefined);
    assert.equal(parseConfig('store:\n  kind: redis\n  read_text_entries: true\n', 't.yaml').store.readTextEntries, true);
    assert.throws(() => parseConfig('store:\n  kind: redis\n  read_text_entries: yes please\n', 't.yaml'), /read_text_entries/);
  });

  it('durations parse', () => {
    const c = parseConfig('login_protection:\n  user_source:\n    window: 30m\n    backoff_base: 2s\n', 't.yaml');
    assert.equal(c.loginProtection.userSource.windowMs, 1_800_000);
    assert.equal(c.loginProtection.userSource.backoffBaseMs, 2000);
  });

  it('a YAML syntax error names file, line and column', () => {
    const e = problemOf('proxy:\n  upstream: "http://x\n  listen: [\n');
    assert.equal(e.code, 'MAMORI_ERR_CONFIG_SYNTAX');
    assert.match(e.message, /^test\.yaml:\d+:\d+: /);
  });

  it('an unknown key is refused with its line and the keys that exist', () => {
    const e = problemOf('mode: enforce\nlogin_protection:\n  user_sorce:\n    block_after: 3\n');
    assert.equal(e.code, 'MAMORI_ERR_CONFIG_INVALID');
    assert.match(e.message, /test\.yaml:3:3: login_protection\.user_sorce unknown key "user_sorce"; expected one of: .*user_source/);
  });

  it('a wrong type is refused with its line', () => {
    const e = problemOf('login_protection:\n  user:\n    close_after: "lots"\n');
    assert.match(e.message, /test\.yaml:3:18: login_protection\.user\.close_after must be integer, not string/);
  });

  it('more than 100 failures before closing an account is refused', () => {
    const e = problemOf('login_protection:\n  user:\n    close_after: 500\n');
    assert.match(e.message, /close_after must be at most 100/);
  });

  it('every problem is listed, not only the first', () => {
    const e = problemOf('mode: sometimes\nnetwork:\n  ipv6_prefix: 200\n  trusted_proxies: ["10.0.0.0/33"]\n');
    assert.match(e.message, /3 problems|problems:/);
    assert.match(e.message, /test\.yaml:1:7: mode must be one of "enforce", "detect"/);
    assert.match(e.message, /test\.yaml:3:16: network\.ipv6_prefix must be at most 128/);
  });

  it('semantic problems carry locations too (bad CIDR, thresholds out of order)', () => {
    const e1 = problemOf('network:\n  trusted_proxies:\n    - 10.0.0.0/33\n');
    assert.match(e1.message, /test\.yaml:3:7: .*CIDR/);
    const e2 = problemOf('login_protection:\n  user_source:\n    challenge_after: 9\n    block_after: 3\n');
    assert.match(e2.message, /test\.yaml:3:5: login_protection\.user_source challenge_after must not exceed block_after/);
  });

  it('a login endpoint needs a way to see failure', () => {
    const e = problemOf('logins:\n  - path: /login\n    username: { form: user }\n    failure: {}\n    success: { status: [302] }\n');
    assert.match(e.message, /test\.yaml:4:14: logins\[0\]\.failure needs at least one of/);
  });

  it('a username must be a form field or a JSON path, not both', () => {
    const e = problemOf('logins:\n  - path: /login\n    username: { form: a, json: b }\n    failure: { status: [401] }\n    success: { status: [302] }\n');
    assert.equal(e.code, 'MAMORI_ERR_CONFIG_INVALID');
  });

  it("a login says how the site tells accounts apart; exact unless it says otherwise", () => {
    const login = (username: string) => `logins:\n  - path: /login\n    username: ${username}\n    failure: { status: [401] }\n    success: { status: [302] }\n`;
    assert.equal(parseConfig(login('{ form: user }')).logins[0]!.usernameNormalize, 'exact');
    assert.equal(parseConfig(login('{ json: user.email, normalize: lowercase }')).logins[0]!.usernameNormalize, 'lowercase');
    assert.equal(parseConfig(login('{ form: log, normalize: wordpress }')).logins[0]!.usernameNormalize, 'wordpress');
    assert.match(problemOf(login('{ form: user, normalize: email }')).message, /test\.yaml:3:40: logins\[0\]\.username\.normalize must be one of "exact", "lowercase", "wordpress"/);
  });

  it('trusted devices: the daily caps, per device within per account', () => {
    const c = parseConfig('login_protection:\n  trusted_device:\n    max_failures_per_device: 5\n    max_failures_per_account: 12\n');
    assert.equal(c.loginProtection.trustedDevice.maxFailuresPerDevice, 5);
    assert.equal(c.loginProtection.trustedDevice.maxFailuresPerAccount, 12);
    assert.equal(defaultConfig().loginProtection.trustedDevice.maxFailuresPerDevice, 20);
    assert.equal(defaultConfig().loginProtection.trustedDevice.maxFailuresPerAccount, 50);
    const e = problemOf('login_protection:\n  trusted_device:\n    max_failures_per_device: 60\n');
    assert.match(e.message, /test\.yaml:3:5: login_protection\.trusted_device max_failures_per_device must not exceed max_failures_per_account/);
  });

  it('roles name accounts; a policy rule may take only their devices', () => {
    const c = parseConfig(
      'roles:\n  admin: [root@example.com]\npolicy:\n  - name: admin\n    paths: [/admin]\n    require_device: { accounts: [boss@example.com], roles: [admin] }\n',
    );
    assert.deepEqual(c.roles, { admin: ['root@example.com'] });
    assert.deepEqual(c.policy[0]!.require_device, { accounts: ['boss@example.com'], roles: ['admin'] });
    const unknown = problemOf('roles:\n  admin: [root@example.com]\npolicy:\n  - name: admin\n    paths: [/admin]\n    require_device:\n      roles: [admin, ops]\n');
    assert.match(unknown.message, /test\.yaml:7:22: policy\[0\]\.require_device\.roles\[1\] names the role "ops", which roles: does not define/);
    assert.match(problemOf('policy:\n  - name: a\n    paths: [/a]\n    require_device: {}\n').message, /require_device/);
    assert.match(problemOf('roles:\n  "a role": [x@example.com]\n').message, /test\.yaml:2:13: roles\.a role a role name is/);
    assert.match(problemOf('roles:\n  admin: []\n').message, /roles\.admin needs at least 1 entries/);
  });

  it('config check warns about a rule that takes any account\'s trusted device', () => {
    const c = parseConfig('policy:\n  - name: members\n    paths: [/members]\n    require_device: true\n  - name: admin\n    paths: [/admin]\n    require_device: { accounts: [a@example.com] }\n');
    const warnings = configWarnings(c);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /policy rule "members": require_device: true accepts a trusted device of any account/);
    assert.deepEqual(configWarnings(defaultConfig()), []);
    const off = parseConfig('login_protection:\n  trusted_device: { enabled: false }\npolicy:\n  - name: admin\n    paths: [/admin]\n    require_device: { accounts: [a@example.com] }\n');
    assert.match(configWarnings(off).join('\n'), /policy rule "admin": require_device admits no device while login_protection\.trusted_device\.enabled is false/);
  });

  it("config check warns about a rule that takes its accounts' devices from any of several applications", () => {
    // Seen on the real apps: /phpmyadmin kept to devices of dbadmin; an attacker who signed up to
    // WordPress as dbadmin got past the rule with the WordPress device.
    const rule = (scope: string) => `policy:\n  - name: pma\n    paths: [/phpmyadmin]\n    require_device: { accounts: [dbadmin]${scope} }\n`;
    const two = 'logins:\n  - preset: wordpress\n  - preset: phpmyadmin\n';
    const warnings = configWarnings(parseConfig(two + rule(''), 'p.yaml'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /policy rule "pma": require_device takes a device trusted for its accounts in any application \(wordpress, phpmyadmin\).*require_device\.account_scope/);
    assert.deepEqual(configWarnings(parseConfig(two + rule(', account_scope: phpmyadmin'), 'p.yaml')), []);
    assert.deepEqual(configWarnings(parseConfig('logins:\n  - preset: phpmyadmin\n' + rule(''), 'p.yaml')), [], 'one application: nothing to confuse');
    assert.deepEqual(configWarnings(parseConfig(rule(''), 'p.yaml')), [], 'no login at all');
  });

  it('hostile YAML: alias bombs and huge files are refused, not expanded', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 9; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
    const e = problemOf(bomb.join('\n'));
    assert.ok(['MAMORI_ERR_CONFIG_SYNTAX', 'MAMORI_ERR_CONFIG_INVALID'].includes(e.code));
    assert.equal(problemOf('#'.repeat(2 * 1024 * 1024)).code, 'MAMORI_ERR_CONFIG_READ');
  });

  it('a missing file is a clear error', () => {
    try {
      loadConfig('/nonexistent/mamori.yaml');
      assert.fail('accepted');
    } catch (err) {
      assert.ok(isMamoriError(err, 'MAMORI_ERR_CONFIG_READ'));
      assert.match((err as Error).message, /\/nonexistent\/mamori\.yaml: ENOENT/);
    }
  });

  it('relative paths resolve against the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-cfg-'));
    writeFileSync(join(dir, 'm.yaml'), 'data_dir: state\nstore:\n  path: x.db\n');
    const c = loadConfig(join(dir, 'm.yaml'));
    assert.equal(c.dataDir, join(dir, 'state'));
    assert.equal(c.store.path, join(dir, 'state', 'x.db'));
  });
});

describe('config: logins written out, presets, placeholders', () => {
  it('refuses a webhook URL with credentials in it, without repeating them (red team 9)', () => {
    const e = problemOf('webhooks:\n  - url: https://hookuser:SUPERSECRETTOKEN@hooks.internal/x\n    secret: 9f8e7d6c5b4a39281706f5e4d3c2b1a0\n');
    assert.match(e.message, /test\.yaml:2:\d+: webhooks\[0\]\.url has a user name or password in it/);
    assert.doesNotMatch(e.message, /SUPERSECRETTOKEN/);
  });

  it('refuses placeholder secrets with where, and warns about example webhooks', () => {
    const e = problemOf('secret: change-me-to-a-long-random-string-0123456789\n');
    assert.match(e.message, /test\.yaml:1:\d+: secret looks like a placeholder/);
    const w = problemOf('webhooks:\n  - url: https://hooks.internal/x\n    secret: change-me-to-a-long-random-string\n');
    assert.match(w.message, /test\.yaml:3:\d+: webhooks\[0\]\.secret looks like a placeholder/);
    const ok = parseConfig('webhooks:\n  - url: https://example.com/hooks/mamori\n  - url: https://chat.corp.test/x\n    secret: 9f8e7d6c5b4a39281706f5e4d3c2b1a0\n', 'w.yaml');
    const warnings = configWarnings(ok);
    assert.ok(warnings.some((x) => x.startsWith('webhooks[0].url: example.com is an example host')), warnings.join('\n'));
    assert.ok(warnings.some((x) => x.startsWith('webhooks[0]: no secret')));
    assert.ok(warnings.some((x) => x.startsWith('webhooks[1].url: chat.corp.test is an example host')));
    assert.deepEqual(configWarnings(defaultConfig()), []);
  });

  it('a login endpoint must say where its credentials are, each problem with its place', () => {
    assert.match(problemOf('logins:\n  - path: /login\n    failure: { status: [401] }\n    success: { status: [302] }\n').message, /test\.yaml:2:\d+: logins\[0\]\.username is required where the credentials are in the body/);
    assert.match(problemOf('logins:\n  - path: /x\n    credentials: http-auth\n    username: { form: u }\n    failure: { status: [401] }\n').message, /logins\[0\]\.username username and password are read from the Authorization header/);
    assert.match(problemOf('logins:\n  - path: /xmlrpc.php\n    credentials: xmlrpc\n    failure: { fault_codes: [403] }\n').message, /logins\[0\]\.xmlrpc needs methods/);
    assert.match(problemOf('logins:\n  - path: /x\n    paths: [/y]\n    username: { form: u }\n    failure: { status: [401] }\n    success: { status: [302] }\n').message, /give path or paths, not both/);
    assert.match(problemOf('logins:\n  - username: { form: u }\n    failure: { status: [401] }\n    success: { status: [302] }\n').message, /logins\[0\]\.path is required \(or paths\)/);
    assert.match(problemOf('logins:\n  - preset: drupal\n').message, /logins\[0\]/);
  });

  it('presets expand into endpoints written as a user would, under a base path', () => {
    const c = parseConfig('logins:\n  - preset: wordpress\n    base: /blog/\n  - preset: phpmyadmin\n  - preset: roundcube\n    name: mail\n', 'p.yaml');
    assert.deepEqual(
      c.logins.map((l) => [l.name, l.paths, l.credentials, l.preset]),
      [
        ['wordpress-login', ['/blog/wp-login.php'], 'body', 'wordpress'],
        ['wordpress-xmlrpc', ['/blog/xmlrpc.php'], 'xmlrpc', 'wordpress'],
        ['wordpress-http-auth', ['/blog/*'], 'http-auth', 'wordpress'],
        ['phpmyadmin-login', ['/phpmyadmin/index.php'], 'body', 'phpmyadmin'],
        ['mail-login', ['/roundcube/index.php'], 'body', 'roundcube'],
      ],
    );
    for (const name of PRESET_NAMES) {
      const x = expandPreset(name);
      assert.ok(x.logins.length > 0, name);
      // Each expands into what the schema and the checks accept as written by hand.
      defaultConfig({ logins: x.logins as unknown as LoginYaml[] });
    }
    assert.throws(() => expandPreset('wordpress', { base: '/a b' }), /must be a path/);
    const pol = parseConfig('policy:\n  - name: admin\n    preset: wordpress-admin\n    base: /blog\n    allow_ips: [192.0.2.0/24]\n', 'p.yaml').policy[0]!;
    assert.deepEqual([pol.paths, pol.except_paths], [['/blog/wp-admin'], ['/blog/wp-admin/admin-ajax.php', '/blog/wp-admin/admin-post.php']]);
    assert.match(problemOf('policy:\n  - name: admin\n    allow_ips: [192.0.2.0/24]\n').message, /test\.yaml:2:\d+: policy\[0\] needs paths \(or a preset\)/);
  });
  it("each preset checks its application's accounts (account_scope); two installations of one application need telling apart", () => {
    const c = parseConfig('logins:\n  - preset: wordpress\n  - preset: phpmyadmin-http\n  - preset: roundcube\n    name: mail\n  - preset: eccube\n    account_scope: shop\n  - path: /login\n    username: { form: u }\n    failure: { status: [401] }\n    success: { status: [302] }\n', 'p.yaml');
    assert.deepEqual(
      c.logins.map((l) => [l.name, l.accountScope]),
      [
        ['wordpress-login', 'wordpress'],
        ['wordpress-xmlrpc', 'wordpress'],
        ['wordpress-http-auth', 'wordpress'],
        ['phpmyadmin-http-http-auth', 'phpmyadmin'],
        ['mail-login', 'mail'],
        ['eccube-admin-login', 'shop'],
        ['eccube-mypage-login', 'shop'],
        ['login-5', undefined],
      ],
    );
    const twice = problemOf('logins:\n  - preset: wordpress\n  - preset: wordpress\n    base: /shop\n');
    assert.match(twice.message, /test\.yaml:3:\d+: logins\[1\] checks the same accounts as logins\[0\] \(account_scope wordpress\)/);
    // Told apart by a name, or said to share their users on purpose: accepted.
    parseConfig('logins:\n  - preset: wordpress\n  - preset: wordpress\n    base: /shop\n    name: shop\n', 'p.yaml');
    parseConfig('logins:\n  - preset: wordpress\n    account_scope: wp\n  - preset: wordpress\n    base: /shop\n    name: shop\n    account_scope: wp\n', 'p.yaml');
    assert.match(problemOf('logins:\n  - path: /x\n    username: { form: u }\n    failure: { status: [401] }\n    success: { status: [302] }\n    account_scope: "a b"\n').message, /account_scope/);
    const pol = 'logins:\n  - preset: phpmyadmin\npolicy:\n  - name: pma\n    paths: [/phpmyadmin]\n    require_device: { accounts: [root], account_scope: SCOPE }\n';
    assert.equal(parseConfig(pol.replace('SCOPE', 'phpmyadmin'), 'p.yaml').policy[0]!.require_device && true, true);
    assert.match(problemOf(pol.replace('SCOPE', 'wordpress')).message, /policy\[0\]\.require_device\.account_scope no login has account_scope "wordpress" \(phpmyadmin\)/);
  });
});

it('waf: exclusions that could not be written safely into rules, and bad limits, are refused with their place', () => {
  const bad = `waf:
  exclusions:
    - name: editor
      paths: ['/wp-admin/post.php" "id:1,phase:1,allow']
      rules: [941100]
    - name: ranges
      paths: [/a]
      rules: ['942100-941000', 'x']
    - name: nothing
      paths: [/b]
  request_body_limit: 2048
  request_body_no_files_limit: 4096
  crs_settings:
    allowed_methods: "GET', deny, 'x"
    restricted_extensions: '.x" "id:1'
    arg_length: '%{REQUEST_HEADERS.x}'
    blocking_paranoia_level: 1
    Bad-Name: x
`;
  assert.throws(
    () => parseConfig(bad, 'mamori.yaml'),
    (e: Error) =>
      /exclusions\[?\.?0/.test(e.message.replace(/\n/g, ' ')) &&
      e.message.includes('must start with / and hold no quotes') &&
      e.message.includes('is not a rule id or a range') &&
      e.message.includes('names no rules') &&
      e.message.includes('must not exceed request_body_limit') &&
      e.message.includes('a setting name is lower-case letters') &&
      e.message.includes('mamori sets blocking_paranoia_level itself') &&
      (e.message.match(/a setting's value is letters/g) ?? []).length === 3,
  );
  const ok = parseConfig('waf:\n  paranoia: 2\n', 'mamori.yaml');
  assert.equal(ok.waf?.paranoia, 2);
  assert.equal(ok.waf?.crs, 'auto');
  assert.equal(ok.waf?.requestBodyNoFilesLimit, 128 * 1024);
  assert.equal(parseConfig('waf:\n  enabled: false\n', 'mamori.yaml').waf, undefined);
});
