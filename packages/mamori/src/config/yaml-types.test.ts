import { it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from './config.js';
import { CONFIG_SCHEMA } from './schema.js';
import { validateSchema, type SchemaNode } from './validate.js';
import type { MamoriYaml } from './yaml-types.js';

/** Every key of mamori.yaml set once (as TypeScript checks it against MamoriYaml). */
const EVERY_KEY: MamoriYaml = {
  $schema: './schema/mamori.schema.json',
  secret: 'a-secret-of-at-least-thirty-two-characters!',
  data_dir: '.mamori',
  mode: 'enforce',
  store: {
    kind: 'memory',
    path: 'mamori.db',
    memory_max_bytes: 1 << 20,
    counter_flush_ms: 100,
    max_events: 1000,
    url: 'redis://127.0.0.1:6379',
    prefix: 'mamori:',
    command_timeout: '1s',
    read_text_entries: false,
    when_unavailable: { requests: 'open', logins: 'closed', checkouts: 'closed', rate_limits: 'open' },
  },
  network: { ipv4_prefix: 32, ipv6_prefix: 64, trusted_proxies: ['10.0.0.0/8'] },
  geo: { database: 'country.mmdb' },
  scan: { file_timeout: '10s' },
  proxy: { listen: '127.0.0.1:8080', upstream: 'http://127.0.0.1:3000', max_header_bytes: 16384, max_headers: 100, max_body_bytes: 65536, upstream_timeout: '30s', request_timeout: '60s' },
  logins: [
    {
      name: 'shop',
      path: '/login',
      method: 'POST',
      path_info: false,
      credentials: 'body',
      username: { form: 'email', normalize: 'lowercase' },
      password: { form: 'password' },
      failure: { status: [401], redirect_contains: '/login', body_contains: 'error', fault_codes: [] },
      success: { status: [302], redirect_contains: '/account', set_cookie: 'sid', account_cookie: 'acct', headers: { expires: '1984' } },
      except_query: { action: ['x'] },
      refuse_fields: ['_target'],
      account_scope: 'shop',
    },
    { name: 'rpc', paths: ['/xmlrpc.php'], credentials: 'xmlrpc', xmlrpc: { methods: { 'wp.getUsersBlogs': [0, 1] }, default_params: [1, 2] }, failure: { fault_codes: [403] } },
    { name: 'api', path: '/api/login', username: { json: 'user.email' }, password: { json: 'user.password' }, failure: { status: [401] }, success: { status: [200] } },
    { preset: 'wordpress', base: '/blog', name: 'blog', account_scope: 'blog' },
  ],
  login_protection: {
    mode: 'enforce',
    user_source: { challenge_after: 5, block_after: 10, window: '15m', backoff_base: '1m', backoff_max: '1h' },
    user: { challenge_after: 20, close_after: 50, window: '24h', close_for: '1h' },
    source: { challenge_after_users: 5, block_after_users: 20, window: '1h', block_for: '1h' },
    spraying: { challenge_after_users: 5, block_after_users: 20, window: '1h' },
    site: { challenge_above_failures: 300, window: '1m' },
    challenged: { block_after_failures: 10, block_after_ignored: 20, window: '1h', block_for: '1h' },
    trusted_device: { enabled: true, ttl: '30d', cookie: 'mamori_device', max_failures_per_device: 20, max_failures_per_account: 50 },
    notify_after_failures: 5,
    second_factor: { ask_on: ['new-device', 'new-country', 'after-failures'], after_failures: 3 },
  },
  policy: [
    {
      name: 'admin',
      paths: ['/admin'],
      except_paths: ['/admin/public'],
      methods: ['GET'],
      allow_ips: ['192.0.2.0/24'],
      deny_ips: ['198.51.100.0/24'],
      allow_countries: ['JP'],
      deny_countries: ['XX'],
      require_device: { accounts: ['admin'], roles: ['admins'], account_scope: 'shop' },
      action: 'block',
      mode: 'enforce',
    },
    { name: 'wp', preset: 'wordpress-admin', base: '/blog', allow_ips: ['192.0.2.0/24'] },
  ],
  roles: { admins: ['admin@example.com'] },
  checkouts: [
    {
      name: 'shop-checkout',
      method: 'POST',
      path: '/api/checkout',
      fields: { number: 'card.number', exp_month: 'card.exp_month', exp_year: 'card.exp_year', cvc: 'card.cvc', amount: 'amount', currency: 'currency' },
      currency: 'JPY',
      session_cookie: 'sid',
      approved: { status: [200] },
      declined: { status: [402] },
    },
  ],
  mfa_gate: { paths: ['/wp-admin'], issuer: 'Example Shop', session: '8h', cookie: 'mamori_mfa', webauthn: { rp_id: 'shop.example', rp_name: 'Example Shop', origins: ['https://shop.example'], user_verification: 'preferred' } },
  checkout_protection: {
    mode: 'enforce',
    window: '1h',
    failures: { card_source: 3, card: 10, customer: 5, source: 10 },
    cards_per: {
      source: { challenge_at: 3, block_at: 6 },
      network: { challenge_at: 8, block_at: 20 },
      session: { challenge_at: 3, block_at: 5 },
      device: { challenge_at: 3, block_at: 5 },
      account: { challenge_at: 4, block_at: 8 },
    },
    guest_weight: 1.5,
    variants_per_card: 3,
    bin: { window: '10m', step_up_at_cards: 20, step_up_at_declines: 3, challenge_at_sources: 8 },
    sequence: { max_gap: 100, count: 3 },
    declines: { source_min: 5, source_ratio: 0.5, site_window: '10m', site_min: 50, site_ratio: 0.5, pause: '15m' },
    small_amount: { default: 100, JPY: 100 },
    block_for: '1h',
    accept: ['visa', 'mastercard', 'jcb', 'amex'],
  },
  rate_limits: [
    { name: 'api-reset', paths: ['/api/reset'], per_account: { field: { json: 'email' }, limit: 3, window: '1h' } },
    { name: 'forgot', paths: ['/forgot'], methods: ['POST'], query: { action: ['x'] }, per_source: { limit: 5, window: '15m' }, per_account: { field: { form: 'email' }, limit: 3, window: '1h' }, action: 'block', headers: true, mode: 'enforce' },
  ],
  challenge: { base_difficulty: 15, max_difficulty: 20, browser_max_difficulty: 22, ttl: '5m', submit_path: '/shop/.mamori/challenge' },
  webhooks: [{ url: 'http://127.0.0.1:9/hook', secret: 'a-webhook-secret-0123456789', events: ['lockout'], include_account: false }],
  watch: {},
  alerts: {},
  demo: { trust_loopback_forwarded_for: false },
  waf: {
    enabled: true,
    mode: 'enforce',
    crs: 'auto',
    own_rules: true,
    rules: ['rules/local.conf'],
    paranoia: 2,
    anomaly_threshold: { inbound: 5, outbound: 4 },
    request_body_limit: 8 * 1024 * 1024,
    request_body_no_files_limit: 128 * 1024,
    max_arguments: 1000,
    response_body: false,
    strict: true,
    libinjection: '/usr/share/libinjection',
    crs_settings: { allowed_methods: 'GET HEAD POST OPTIONS PUT PATCH DELETE', arg_length: 4000 },
    exclusions: [{ name: 'wp-editor', paths: ['/wp-admin/post.php'], methods: ['POST'], rules: ['941100-941999', 942100], tags: ['attack-xss'], targets: ['ARGS:content'], args: { action: ['editpost'] } }],
    block_sources: { after: 10, window: '10m', block_for: '1h' },
    cpu_budget: { per_source: '10s', window: '1m' },
    audit_log: 'waf-audit.jsonl',
  },
};

/** The key paths of a schema node (array items as `[]`, oneOf branches merged). */
function schemaPaths(node: SchemaNode, prefix: string, defs: Record<string, SchemaNode>, out: Set<string>): void {
  const n = node.$ref ? defs[node.$ref.replace('#/$defs/', '')]! : node;
  for (const [k, child] of Object.entries(n.properties ?? {})) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.add(p);
    schemaPaths(child, p, defs, out);
  }
  if (n.items) schemaPaths(n.items, `${prefix}[]`, defs, out);
  for (const branch of n.oneOf ?? []) schemaPaths(branch, prefix, defs, out);
}

function valuePaths(v: unknown, prefix: string, out: Set<string>, open: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) valuePaths(x, `${prefix}[]`, out, open);
  else if (v !== null && typeof v === 'object' && !open.has(prefix)) {
    for (const [k, x] of Object.entries(v)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      valuePaths(x, p, out, open);
    }
  }
}

it('MamoriYaml and the schema name the same keys: every key typed is accepted, every key accepted is typed', () => {
  assert.deepEqual(validateSchema(CONFIG_SCHEMA, EVERY_KEY), []);
  const schema = new Set<string>();
  schemaPaths(CONFIG_SCHEMA, '', (CONFIG_SCHEMA.$defs ?? {}) as Record<string, SchemaNode>, schema);
  // Maps whose keys are the user's (methods, query values, headers, roles) are not keys of ours.
  const open = new Set(['logins[].xmlrpc.methods', 'logins[].success.headers', 'logins[].except_query', 'roles', 'rate_limits[].query', 'waf.crs_settings', 'waf.exclusions[].args', 'checkout_protection.small_amount']);
  const typed = new Set<string>();
  valuePaths(EVERY_KEY, '', typed, open);
  const missing = [...schema].filter((p) => !typed.has(p) && ![...open].some((o) => p.startsWith(`${o}.`)));
  assert.deepEqual(missing, [], 'schema keys the typed sample does not set (add them to MamoriYaml and to this sample)');
  const extra = [...typed].filter((p) => !schema.has(p));
  assert.deepEqual(extra, []);
});

it('a typo in a programmatic config is a compile error, and a run-time one with the YAML messages', () => {
  // @ts-expect-error: `user_sorce` is not a key of login_protection.
  const typo: MamoriYaml = { login_protection: { user_sorce: { challenge_after: 3 } } };
  assert.throws(() => defaultConfig(typo), /unknown key "user_sorce"/);
  // @ts-expect-error: a mode is enforce or detect.
  const wrong: MamoriYaml = { mode: 'enforcing' };
  assert.throws(() => defaultConfig(wrong), /mode/);
});
