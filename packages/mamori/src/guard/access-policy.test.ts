import { test, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from '../core/errors.js';
import { compileAccessPolicy, normalizePolicyPath, policyPathViews, policyPathViewsFull, type AccessRuleConfig } from './access-policy.js';
import { staticCountryLookup, type CountryLookup } from './geo.js';
import { ALLOW, type RequestInfo } from './verdict.js';

// 192.0.2.0/24 is "JP", 198.51.100.0/24 "US", 203.0.113.0/24 "CN"; 10/8 has no country.
const geo = staticCountryLookup({ '192.0.2.0/24': 'JP', '198.51.100.0/24': 'US', '203.0.113.0/24': 'CN' });
const JP = '192.0.2.10';
const US = '198.51.100.10';
const CN = '203.0.113.10';
const OFFICE = '10.1.2.3';

function req(ip: string, path: string, method = 'GET'): RequestInfo {
  return { ip, path, method, headers: {} };
}

function policy(rules: AccessRuleConfig[], countries: CountryLookup = geo) {
  return compileAccessPolicy(rules, { countries });
}

describe('precedence inside one rule', () => {
  const admin = policy([
    {
      name: 'admin',
      paths: ['/admin'],
      allow_countries: ['jp'],
      allow_ips: ['10.0.0.0/8'],
      deny_ips: ['10.9.0.0/16', '192.0.2.66'],
      require_device: true,
    },
  ]);

  test('allowed country with a trusted device passes, and the verdict carries the country', () => {
    const v = admin.evaluate(req(JP, '/admin'), { device: 'dev-1' });
    assert.equal(v.action, 'allow');
    assert.equal(v.country, 'JP');
  });
  test('allowed country without a device is denied (require_device)', () => {
    const v = admin.evaluate(req(JP, '/admin/users'), {});
    assert.equal(v.action, 'block');
    assert.equal(v.ruleId, 'policy:admin');
    assert.match(v.reason, /device/);
    assert.equal(v.country, 'JP');
    assert.equal(v.detectOnly, undefined);
  });
  test('an allow_ips match admits without a device', () => {
    assert.equal(admin.evaluate(req(OFFICE, '/admin'), {}).action, 'allow');
  });
  test('a country outside allow_countries and an address outside allow_ips is denied, even with a device', () => {
    const v = admin.evaluate(req(US, '/admin'), { device: 'dev-1' });
    assert.equal(v.action, 'block');
    assert.equal(v.country, 'US');
    assert.match(v.reason, /not allowed|neither/);
  });
  test('deny_ips beats allow_ips and allow_countries', () => {
    assert.equal(admin.evaluate(req('10.9.1.1', '/admin'), { device: 'd' }).action, 'block');
    assert.equal(admin.evaluate(req('192.0.2.66', '/admin'), { device: 'd' }).action, 'block');
    assert.equal(admin.evaluate(req('192.0.2.67', '/admin'), { device: 'd' }).action, 'allow');
  });
  test('an empty device id is no device', () => {
    assert.equal(admin.evaluate(req(JP, '/admin'), { device: '' }).action, 'block');
  });
  test('paths outside the rule are not touched, and no country is looked up', () => {
    let lookups = 0;
    const counting: CountryLookup = { source: 'count', country: (ip) => (lookups++, geo.country(ip)) };
    const p = policy([{ name: 'a', paths: ['/admin'], allow_countries: ['JP'] }], counting);
    assert.equal(p.evaluate(req(US, '/shop'), {}), ALLOW);
    assert.equal(p.evaluate(req(US, '/administrator'), {}), ALLOW);
    assert.equal(lookups, 0);
  });
  test('unknown address or country fails an allow list closed', () => {
    const p = policy([{ name: 'a', paths: ['/admin'], allow_countries: ['JP'] }]);
    assert.equal(p.evaluate(req('10.0.0.1', '/admin'), {}).action, 'block');
    assert.equal(p.evaluate(req('not-an-ip', '/admin'), {}).action, 'block');
  });
});

describe('deny lists', () => {
  test('deny_countries beats allow_ips', () => {
    const p = policy([{ name: 'no-cn', paths: ['/'], deny_countries: ['CN'], allow_ips: ['203.0.113.0/24'] }]);
    assert.equal(p.evaluate(req(CN, '/x'), {}).action, 'block');
  });
  test('deny_countries alone lets others through, unknown country included', () => {
    const p = policy([{ name: 'no-cn', paths: ['*'], deny_countries: ['CN'] }]);
    const v = p.evaluate(req(CN, '/x'), {});
    assert.equal(v.action, 'block');
    assert.equal(v.country, 'CN');
    assert.equal(p.evaluate(req(US, '/x'), {}).action, 'allow');
    assert.equal(p.evaluate(req(OFFICE, '/x'), {}).action, 'allow');
  });
  test('deny_ips alone, IPv6 and IPv4-mapped', () => {
    const p = policy([{ name: 'bad', paths: ['/'], deny_ips: ['2001:db8:bad::/48', '192.0.2.0/28'] }]);
    assert.equal(p.evaluate(req('2001:db8:bad::1', '/'), {}).action, 'block');
    assert.equal(p.evaluate(req('::ffff:192.0.2.5', '/'), {}).action, 'block');
    assert.equal(p.evaluate(req('2001:db8:bad:1::1', '/'), {}).action, 'block');
    assert.equal(p.evaluate(req('2001:db8:bb::1', '/'), {}).action, 'allow');
  });
  test('a rule with no condition blocks its paths', () => {
    const p = policy([{ name: 'env', paths: ['/.env', '/.git/*'] }]);
    assert.equal(p.evaluate(req(JP, '/.env'), {}).action, 'block');
    assert.equal(p.evaluate(req(JP, '/.git/config'), {}).action, 'block');
    assert.equal(p.evaluate(req(JP, '/.envy'), {}).action, 'allow');
  });
});

describe('rules, modes and actions', () => {
  test('challenge action', () => {
    const p = policy([{ name: 'c', paths: ['/login'], allow_countries: ['JP'], action: 'challenge' }]);
    assert.equal(p.evaluate(req(US, '/login'), {}).action, 'challenge');
  });
  test('detect mode reports but is marked detectOnly', () => {
    const p = policy([{ name: 'watch', paths: ['/'], deny_countries: ['US'], mode: 'detect' }]);
    const v = p.evaluate(req(US, '/'), {});
    assert.equal(v.action, 'block');
    assert.equal(v.detectOnly, true);
    assert.equal(v.ruleId, 'policy:watch');
  });
  test('a detect-mode denial does not hide a later enforcing one', () => {
    const p = policy([
      { name: 'watch', paths: ['/'], deny_countries: ['US'], mode: 'detect' },
      { name: 'admin', paths: ['/admin'], allow_countries: ['JP'] },
    ]);
    const v = p.evaluate(req(US, '/admin'), {});
    assert.equal(v.ruleId, 'policy:admin');
    assert.equal(v.detectOnly, undefined);
    assert.equal(p.evaluate(req(US, '/shop'), {}).ruleId, 'policy:watch');
  });
  test('rules are evaluated in order: the first enforcing denial answers', () => {
    const p = policy([
      { name: 'first', paths: ['/a'], deny_countries: ['US'] },
      { name: 'second', paths: ['/'], deny_ips: ['198.51.100.0/24'] },
    ]);
    assert.equal(p.evaluate(req(US, '/a'), {}).ruleId, 'policy:first');
    assert.equal(p.evaluate(req(US, '/b'), {}).ruleId, 'policy:second');
    assert.deepEqual(p.ruleNames, ['first', 'second']);
  });
  test('a passing rule does not stop later rules', () => {
    const p = policy([
      { name: 'ok', paths: ['/'], allow_countries: ['US'] },
      { name: 'dev', paths: ['/admin'], require_device: true },
    ]);
    assert.equal(p.evaluate(req(US, '/admin'), {}).ruleId, 'policy:dev');
    assert.equal(p.evaluate(req(US, '/admin'), { device: 'x' }).action, 'allow');
  });
  test('methods: only listed methods, case-insensitive, GET also covers HEAD', () => {
    const p = policy([{ name: 'w', paths: ['/api/*'], methods: ['get', 'POST'], allow_countries: ['JP'] }]);
    assert.equal(p.evaluate(req(US, '/api/x', 'POST'), {}).action, 'block');
    assert.equal(p.evaluate(req(US, '/api/x', 'post'), {}).action, 'block');
    assert.equal(p.evaluate(req(US, '/api/x', 'HEAD'), {}).action, 'block');
    assert.equal(p.evaluate(req(US, '/api', 'GET'), {}).action, 'block');
    assert.equal(p.evaluate(req(US, '/api/x', 'DELETE'), {}).action, 'allow');
  });
  test('an empty policy allows', () => {
    assert.equal(policy([]).evaluate(req(US, '/'), {}), ALLOW);
  });
  test('a throwing country lookup is treated as unknown', () => {
    const broken: CountryLookup = { source: 'broken', country: () => { throw new Error('boom'); } };
    const p = policy([{ name: 'a', paths: ['/'], allow_countries: ['JP'] }], broken);
    assert.equal(p.evaluate(req(JP, '/'), {}).action, 'block');
  });
});

describe('path evasion', () => {
  const p = policy([{ name: 'admin', paths: ['/admin'], allow_ips: ['10.0.0.0/8'] }]);
  const evasions = [
    '/admin',
    '/admin/',
    '/Admin',
    '/ADMIN/settings',
    '/%61dmin',
    '/%41DMIN',
    '//admin',
    '///admin//x',
    '/./admin',
    '/x/../admin',
    '/x/y/../../admin/z',
    '/%2e%2e/admin',
    '/x/%2e%2e/admin',
    '/x%2f..%2fadmin',
    '/x/..%2fadmin',
    '\\admin',
    '/x\\..\\admin',
    '/admin;jsessionid=1',
    '/admin;x/users',
    '/admin.',
    '/admin%20',
    '/admin%00.png',
    '/adm\tin',
    '/admin?x=1',
    '/admin#frag',
    '/admin/../public',
    '/../../admin',
  ];
  for (const path of evasions) {
    test(`"${path}" is caught`, () => {
      assert.equal(p.evaluate(req(US, path), {}).action, 'block', `${path} → ${policyPathViews(path).join(' | ')}`);
    });
  }
  test('lookalikes that are different paths are not caught', () => {
    for (const path of ['/administrator', '/admins', '/x/admin', '/%2561dmin', '/public', '/']) {
      assert.equal(p.evaluate(req(US, path), {}).action, 'allow', path);
    }
  });
  test('normalizePolicyPath', () => {
    assert.equal(normalizePolicyPath('/A//b/./c/../D/'), '/a/b/d');
    assert.equal(normalizePolicyPath(''), '/');
    assert.equal(normalizePolicyPath('/%zz%4'), '/%zz%4');
    assert.equal(normalizePolicyPath('/caf%C3%A9'), '/café');
    assert.deepEqual(policyPathViews('/admin/../x'), ['/x', '/admin/../x']);
    assert.equal(normalizePolicyPath(42 as unknown as string), '/');
  });
  test('a very long path is handled in linear time', () => {
    const long = `/${'a/'.repeat(50_000)}${'../'.repeat(50_000)}admin`;
    assert.equal(p.evaluate(req(US, long), {}).action, 'block');
  });
  test('patterns are normalised the same way', () => {
    const q = policy([{ name: 'a', paths: ['/Admin/', '/API/*', '/files*'], allow_ips: ['10.0.0.0/8'] }]);
    assert.equal(q.evaluate(req(US, '/admin'), {}).action, 'block');
    assert.equal(q.evaluate(req(US, '/api'), {}).action, 'block');
    assert.equal(q.evaluate(req(US, '/apix'), {}).action, 'allow');
    assert.equal(q.evaluate(req(US, '/filesystem'), {}).action, 'block');
  });
});

describe('require_device: whose devices count', () => {
  // Stands in for LoginGuard.deviceUserHash: a token carries only such a hash, never the name.
  const hashOf = (name: string) => `h:${name}`;
  const deps = { countries: geo, roles: { admin: ['root@example.com', 'ops@example.com'] }, deviceUserHashes: (n: string) => [hashOf(n)] };
  const rules: AccessRuleConfig[] = [
    { name: 'admin', paths: ['/admin'], allow_countries: ['JP'], allow_ips: ['10.0.0.0/8'], require_device: { accounts: ['boss@example.com'], roles: ['admin'] } },
    { name: 'any', paths: ['/members'], require_device: true },
  ];
  const p = compileAccessPolicy(rules, deps);
  const device = (account: string) => ({ device: `dev-${account}`, deviceUser: hashOf(account) });

  test("a customer's trusted device does not pass a rule that lists accounts", () => {
    const v = p.evaluate(req(JP, '/admin'), device('customer@example.com'));
    assert.equal(v.action, 'block');
    assert.equal(v.ruleId, 'policy:admin');
    assert.match(v.reason, /not one of the rule's accounts/);
    assert.equal(p.evaluate(req(JP, '/admin'), { device: 'dev-x' }).action, 'block', 'a device whose account is unknown does not either');
  });
  test('the devices of the listed accounts and of the listed roles do', () => {
    for (const a of ['boss@example.com', 'root@example.com', 'ops@example.com']) assert.equal(p.evaluate(req(JP, '/admin'), device(a)).action, 'allow', a);
  });
  test('the account alone is not enough: it must come with a device id', () => {
    assert.equal(p.evaluate(req(JP, '/admin'), { deviceUser: hashOf('boss@example.com') }).action, 'block');
  });
  test('allow_ips still admits without a device; require_device: true still takes any device', () => {
    assert.equal(p.evaluate(req(OFFICE, '/admin'), {}).action, 'allow');
    assert.equal(p.evaluate(req(JP, '/members'), device('customer@example.com')).action, 'allow');
    assert.equal(p.evaluate(req(JP, '/members'), {}).action, 'block');
  });
  test('names are hashed once, when the policy is compiled', () => {
    const seen: string[] = [];
    const q = compileAccessPolicy(rules, { ...deps, deviceUserHashes: (n) => (seen.push(n), [hashOf(n)]) });
    assert.deepEqual(seen.sort(), ['boss@example.com', 'ops@example.com', 'root@example.com']);
    for (let i = 0; i < 3; i++) q.evaluate(req(JP, '/admin'), device('root@example.com'));
    assert.equal(seen.length, 3);
  });
  test('every hash a name may have counts (logins that tell case apart and logins that do not)', () => {
    const mixed: AccessRuleConfig[] = [{ name: 'admin', paths: ['/admin'], require_device: { accounts: ['Boss@Example.com'] } }];
    assert.equal(compileAccessPolicy(mixed, deps).evaluate(req(JP, '/admin'), device('boss@example.com')).action, 'block');
    const q = compileAccessPolicy(mixed, { ...deps, deviceUserHashes: (n) => [hashOf(n), hashOf(n.toLowerCase())] });
    assert.equal(q.evaluate(req(JP, '/admin'), device('boss@example.com')).action, 'allow');
    assert.equal(q.evaluate(req(JP, '/admin'), device('Boss@Example.com')).action, 'allow');
  });
  const badLists: [string, unknown, Partial<typeof deps>?][] = [
    ['an empty mapping', {}],
    ['an empty account list', { accounts: [] }],
    ['an unknown role', { roles: ['root'] }],
    ['an inherited name as a role', { roles: ['constructor'] }],
    ['an unknown key', { account: ['a@example.com'] }],
    ['accounts that are not strings', { accounts: [1] }],
    ['a list, not a mapping', ['a@example.com']],
    ['no way to hash the names', { accounts: ['a@example.com'] }, { deviceUserHashes: undefined }],
  ];
  for (const [what, value, over] of badLists) {
    test(`refused: ${what}`, () => {
      const rule = { name: 'r', paths: ['/'], require_device: value } as AccessRuleConfig;
      assert.throws(() => compileAccessPolicy([rule], { ...deps, ...over }), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID') && /require_device/.test(e.message));
    });
  }
});

describe('config errors', () => {
  const bad: [string, unknown][] = [
    ['bad cidr', { name: 'a', paths: ['/'], allow_ips: ['10.0.0.0/33'] }],
    ['bad address', { name: 'a', paths: ['/'], deny_ips: ['example.com'] }],
    ['bad country', { name: 'a', paths: ['/'], allow_countries: ['JPN'] }],
    ['numeric country', { name: 'a', paths: ['/'], deny_countries: ['12'] }],
    ['empty list', { name: 'a', paths: ['/'], allow_countries: [] }],
    ['no paths', { name: 'a' }],
    ['relative path', { name: 'a', paths: ['admin'] }],
    ['star inside', { name: 'a', paths: ['/a*/b'] }],
    ['query in pattern', { name: 'a', paths: ['/a?b'] }],
    ['bad action', { name: 'a', paths: ['/'], action: 'drop' }],
    ['bad mode', { name: 'a', paths: ['/'], mode: 'audit' }],
    ['bad method', { name: 'a', paths: ['/'], methods: ['GE T'] }],
    ['unknown key', { name: 'a', paths: ['/'], allow_ip: ['10.0.0.0/8'] }],
    ['no name', { paths: ['/'] }],
    ['bad require_device', { name: 'a', paths: ['/'], require_device: 'yes' }],
    ['not an object', 'admin'],
  ];
  for (const [what, rule] of bad) {
    test(what, () => {
      assert.throws(() => policy([rule as AccessRuleConfig]), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID'));
    });
  }
  test('duplicate names', () => {
    assert.throws(
      () => policy([{ name: 'a', paths: ['/'] }, { name: 'a', paths: ['/x'] }]),
      (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID') && /two rules/.test(e.message),
    );
  });
  test('the error names the rule and field', () => {
    assert.throws(
      () => policy([{ name: 'admin', paths: ['/'], allow_ips: ['10.0.0.0/8', 'nope'] }]),
      (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID') && e.message.includes('"admin" allow_ips') && e.message.includes('nope'),
    );
  });
});

test('the shortcut for plain paths gives what the full normalisation gives, for any path', () => {
  // Random paths over an alphabet with every character the normalisation treats specially.
  const alphabet = ['a', 'b', 'z', 'A', '0', '9', '_', '-', '.', '/', '/', '/', '%', '2', 'e', 'E', ';', ' ', '\\', '?', '#', '\t', '\0', '~', 'é'];
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % alphabet.length;
  let plain = 0;
  let ran = 0;
  for (let i = 0; i < 20_000; i++) {
    const len = 1 + (i % 12);
    let p = '/';
    for (let j = 0; j < len; j++) p += alphabet[next()];
    const fast = policyPathViews(p);
    assert.deepEqual(fast, policyPathViewsFull(p), p);
    if (fast.length === 1 && fast[0] === p) plain++;
    ran++;
  }
  for (const p of ['/', '/login', '/wp-login.php', '/a/b.c/d', '/index.php', '/a.', '/a..b', '/.a', '/a/', '//a', '/Login', '/a;b', '/%6c']) {
    assert.deepEqual(policyPathViews(p), policyPathViewsFull(p), p);
    ran++;
  }
  assert.equal(ran, 20_013);
  assert.ok(plain > 100, `some random paths are plain: ${plain}`);
});

describe('access policy: except_paths', () => {
  const policy = compileAccessPolicy(
    [{ name: 'wp-admin', paths: ['/wp-admin'], except_paths: ['/wp-admin/admin-ajax.php', '/wp-admin/admin-post.php'], allow_ips: ['192.0.2.0/24'] }],
    { countries: { country: () => undefined, source: 'none' } },
  );
  const at = (path: string) => policy.evaluate({ ip: '203.0.113.9', method: 'POST', path, headers: {} }, {}).action;

  it('leaves the excepted paths alone and still covers the rest, in every spelling', () => {
    assert.equal(at('/wp-admin/admin-ajax.php'), 'allow');
    assert.equal(at('/WP-ADMIN//admin-ajax.php'), 'allow');
    assert.equal(at('/wp-admin/'), 'block');
    assert.equal(at('/wp-admin/users.php'), 'block');
    assert.equal(at('/wp-admin/admin-ajax.php/../users.php'), 'block', 'every reading must be excepted');
    assert.equal(at('/wp-admin/admin-ajax.phpx'), 'block');
  });
});
