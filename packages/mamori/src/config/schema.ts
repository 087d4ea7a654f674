/**
 * The JSON Schema of mamori.yaml. `schema/mamori.schema.json` at the
 * repository root is generated from this object (`mamori config schema`)
 * and a test keeps the two identical, so editors autocomplete the config.
 */
import type { SchemaNode } from './validate.js';
import { POLICY_PRESET_NAMES, PRESET_NAMES } from './presets.js';

const duration: SchemaNode = {
  type: ['string', 'integer'],
  pattern: '^\\d{1,9}(ms|s|m|h|d)$',
  description: 'a duration such as 500ms, 30s, 15m, 2h, 7d, or milliseconds as a number',
};
const mode: SchemaNode = { enum: ['enforce', 'detect'], description: 'enforce blocks and challenges; detect only records what it would have done' };
const cidrList: SchemaNode = { type: 'array', maxItems: 10_000, items: { type: 'string', maxLength: 64 }, description: 'IP addresses or CIDR ranges' };
const countryList: SchemaNode = { type: 'array', maxItems: 300, items: { type: 'string', pattern: '^[A-Za-z]{2}$', description: 'an ISO 3166-1 alpha-2 code such as JP' } };
const accountScope = {
  type: 'string',
  pattern: '^[A-Za-z0-9_.-]{1,48}$',
  description:
    "the application whose accounts this login checks: logins with the same account_scope share their accounts' counts and trusted devices, and admin in one application is another account than admin in another",
} as const;

const usernameNormalize: SchemaNode = {
  enum: ['exact', 'lowercase', 'wordpress'],
  description:
    'how the site tells accounts apart, for trusted-device cookies: exact (default: Alice and alice are two accounts), lowercase (the site ignores case), wordpress (case, accents, tags, %XX and &entities; ignored, spaces collapsed, as sanitize_user does)',
};
const count = (max = 1_000_000): SchemaNode => ({ type: 'integer', minimum: 1, maximum: max });
const obj = (properties: Record<string, SchemaNode>, extra: Partial<SchemaNode> = {}): SchemaNode => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...extra,
});

export const CONFIG_SCHEMA: SchemaNode = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://mamori.dev/schema/mamori.schema.json',
  title: 'mamori configuration',
  ...obj({
    $schema: { type: 'string' },
    secret: {
      type: 'string',
      minLength: 32,
      description: 'HMAC key for tokens and hashed identifiers (32+ characters). Prefer the MAMORI_SECRET environment variable; if neither is set, one is generated in data_dir.',
    },
    data_dir: { type: 'string', description: 'where the SQLite database and generated secret live (relative to the config file)' },
    mode,
    store: obj({
      kind: { enum: ['sqlite', 'memory', 'redis'], description: 'sqlite (default: one machine, survives restarts), memory, or redis (several mamori processes share counts and decisions; @mamori/store-redis)' },
      url: { type: 'string', pattern: '^rediss?://', maxLength: 2048, description: 'redis: where Redis is (default MAMORI_REDIS_URL, else redis://127.0.0.1:6379)' },
      prefix: { type: 'string', pattern: '^[A-Za-z0-9:._-]{1,64}$', description: 'redis: the prefix of every key (default mamori:); processes that share state share it' },
      command_timeout: { ...duration, description: 'redis: how long a command may take before the store counts as unavailable (default 1s)' },
      read_text_entries: { type: 'boolean', description: 'redis: while upgrading from a mamori that kept counts as text, take over its counts where the new layout has none (default false; see @mamori/store-redis README, Upgrading)' },
      when_unavailable: obj(
        {
          requests: { enum: ['open', 'closed'] },
          logins: { enum: ['open', 'closed'] },
          checkouts: { enum: ['open', 'closed'] },
          rate_limits: { enum: ['open', 'closed'] },
        },
        { description: 'when the store cannot be reached (Redis down): let requests through unchecked (open) or answer 503 (closed), per protection; defaults: requests open, logins closed, checkouts closed, rate_limits open' },
      ),
      path: { type: 'string', description: 'SQLite file, relative to data_dir' },
      memory_max_bytes: { type: 'integer', minimum: 65536, maximum: 64 * 1024 ** 3, description: 'hard cap on memory for counters (both stores keep them in memory)' },
      counter_flush_ms: { type: 'integer', minimum: 1, maximum: 60_000, description: 'SQLite: how often changed counters are written to the file; a crash forgets at most this long of counts (default 100)' },
      max_events: count(100_000_000),
    }),
    network: obj({
      ipv4_prefix: { type: 'integer', minimum: 8, maximum: 32, description: 'IPv4 sources are counted per address (32) or per range' },
      ipv6_prefix: { type: 'integer', minimum: 16, maximum: 128, description: 'IPv6 sources are counted per /64 by default' },
      trusted_proxies: { ...cidrList, description: 'peers whose X-Forwarded-For is believed; empty by default' },
    }),
    geo: obj({ database: { type: 'string', description: 'a MaxMind or DB-IP country .mmdb file; the bundled open database when absent' } }),
    scan: obj({
      file_timeout: {
        oneOf: [duration, { const: 'off' }],
        description:
          'mamori scan: the longest one file may take (default 10s); a file stopped is reported suspicious (scan-timeout), not passed; off: no bound (--file-timeout overrides)',
      },
    }),
    proxy: obj(
      {
        listen: { type: 'string', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[0-9.]+|localhost):\\d{1,5}$', description: 'host:port, e.g. 127.0.0.1:8080' },
        upstream: { type: 'string', pattern: '^https?://', description: 'the site mamori stands in front of, e.g. http://127.0.0.1:3000' },
        max_header_bytes: { type: 'integer', minimum: 1024, maximum: 1024 * 1024 },
        max_headers: { type: 'integer', minimum: 10, maximum: 1000 },
        max_body_bytes: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024, description: 'largest body mamori reads to inspect (logins)' },
        upstream_timeout: duration,
        request_timeout: duration,
      },
      { required: ['upstream'] },
    ),
    waf: obj({
      enabled: { type: 'boolean', description: 'false turns the WAF off while keeping its settings (default: on when this section is present)' },
      mode: { ...mode, description: 'enforce refuses what the rules refuse; detect records it and lets it through (default: the top-level mode)' },
      crs: { type: 'string', minLength: 1, maxLength: 4096, description: 'the OWASP Core Rule Set: a directory holding rules/ (a release, or Debian\'s /usr/share/modsecurity-crs), auto (MAMORI_CRS_DIR, data_dir/crs/current, Debian\'s modsecurity-crs; default) or off' },
      own_rules: { type: 'boolean', description: "mamori's own rule pack (VPN-appliance and CMS exploits, webshells, sensitive files); default true" },
      rules: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 4096 }, description: 'more SecLang rule files (globs allowed), loaded last, relative to this file' },
      paranoia: { type: 'integer', minimum: 1, maximum: 4, description: "CRS's paranoia level: 1 (default, few false positives) to 4" },
      anomaly_threshold: obj({ inbound: count(10_000), outbound: count(10_000) }, { description: "CRS's anomaly score thresholds (default 5 and 4)" }),
      request_body_limit: { type: 'integer', minimum: 1024, maximum: 1024 ** 3, description: 'largest request body read and inspected, uploads included; larger ones are refused with 413 (default 8 MiB)' },
      request_body_no_files_limit: { type: 'integer', minimum: 1024, maximum: 1024 ** 3, description: 'largest request body not counting uploaded files (default 128 KiB, as ModSecurity)' },
      max_arguments: { type: 'integer', minimum: 1, maximum: 100_000, description: 'arguments (query and body together) a request may carry; more is refused when strict (default 1000, as ModSecurity)' },
      response_body: { type: 'boolean', description: 'inspect text, HTML, XHTML, XML and JSON answers for data leaks, in mamori up and mamoriWafHandler: the first 512 KiB (SecResponseBodyLimit) of each (default false: answers are streamed)' },
      strict: { type: 'boolean', description: 'refuse bodies mamori cannot read as the site would (malformed or ambiguous multipart, JSON or XML, compressed bodies); default true' },
      libinjection: { type: 'string', maxLength: 4096, description: "libinjection's data directory, for @detectSQLi (CRS rule 942100); default MAMORI_LIBINJECTION_DIR" },
      crs_settings: {
        type: 'object',
        maxProperties: 100,
        additionalProperties: { type: ['string', 'integer'], maxLength: 4096 },
        description: "CRS's own settings, as crs-setup.conf sets them (tx.<name>): allowed_methods, allowed_request_content_type, restricted_extensions, restricted_headers_extended, arg_length...",
      },
      exclusions: {
        type: 'array',
        maxItems: 1000,
        items: obj(
          {
            name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
            paths: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^/', maxLength: 512 }, description: 'exact paths, or prefixes ending in *' },
            methods: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z]{1,16}$' } },
            rules: { type: 'array', maxItems: 1000, items: { type: ['string', 'integer'] }, description: 'rule ids or ranges, e.g. 941100-941999' },
            tags: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 128 }, description: 'rule tags, e.g. attack-xss' },
            targets: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 160 }, description: 'only these targets are taken out of the rules, e.g. ARGS:content' },
            args: {
              type: 'object',
              maxProperties: 16,
              additionalProperties: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } },
              description: 'only when each of these parameters (query or body) is given once with one of the values, e.g. { action: [edit] }; then only rules of phase 2 are taken out',
            },
          },
          { required: ['name', 'paths'], description: 'rules (or some of their targets) taken out on some routes, e.g. the post editor of a CMS' },
        ),
      },
      block_sources: obj(
        { after: { type: 'integer', minimum: 0, maximum: 1_000_000 }, window: duration, block_for: duration },
        { description: 'a source refused this many times in the window gets a block decision (default 10 in 10m, for 1h; after: 0 turns it off)' },
      ),
      cpu_budget: obj(
        { per_source: duration, window: duration },
        { description: 'time the rules may spend on one source\'s requests in a window; past it the source gets 429 until the window ends (default 10s a minute; per_source: 0 for no limit)' },
      ),
      audit_log: { oneOf: [{ type: 'string', minLength: 1, maxLength: 4096 }, { const: false }], description: 'JSON lines of every request a rule matched, secrets masked (default data_dir/waf-audit.jsonl; false for none)' },
    }),
    logins: {
      type: 'array',
      maxItems: 100,
      items: { oneOf: [{ $ref: '#/$defs/login' }, { $ref: '#/$defs/loginPreset' }] },
      description: 'the login endpoints to protect, each written out or taken from a preset',
    },
    login_protection: obj({
      mode,
      user_source: obj({ challenge_after: count(), block_after: count(), window: duration, backoff_base: duration, backoff_max: duration }),
      user: obj({ challenge_after: count(), close_after: count(100), window: duration, close_for: duration }),
      source: obj({ challenge_after_users: count(), block_after_users: count(), window: duration, block_for: duration }),
      spraying: obj({ challenge_after_users: count(), block_after_users: count(), window: duration }),
      site: obj({ challenge_above_failures: count(), window: duration }),
      challenged: obj(
        {
          block_after_failures: { ...count(1000), description: 'failed logins from one source that had solved a challenge for them, in the window, before the source is blocked (default 10)' },
          block_after_ignored: { ...count(10_000), description: 'login challenges a source was given and did not solve, in the window, before it is blocked (default 20)' },
          window: duration,
          block_for: duration,
        },
        { description: 'sources that keep failing after solving challenges, or ignore them: each failure after a solved challenge makes the next one a bit harder; past the limits the source gets a block decision' },
      ),
      trusted_device: obj({
        enabled: { type: 'boolean' },
        ttl: duration,
        cookie: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
        max_failures_per_device: {
          ...count(1000),
          description: 'failed logins a trusted device may have on its account in 24 h (default 20); then it counts as untrusted for that account until the day is over',
        },
        max_failures_per_account: {
          ...count(10_000),
          description: 'failed logins from all trusted devices of one account in 24 h (default 50); then none of them counts as trusted for it until the day is over',
        },
      }),
      notify_after_failures: count(),
      second_factor: obj(
        {
          ask_on: {
            type: 'array',
            maxItems: 3,
            items: { enum: ['new-device', 'new-country', 'after-failures'] },
            description: 'when to tell the site to ask for its second factor (request header x-mamori-second-factor): a browser without a trusted-device cookie, another country than the last login, failures of the account before (default: never)',
          },
          after_failures: { ...count(10_000), description: "the account's failures in its window from which after-failures applies (default 3)" },
        },
        { description: 'risk-based step-up, for a site with a second factor of its own (docs/mfa.md)' },
      ),
    }),
    policy: { type: 'array', maxItems: 1000, items: { $ref: '#/$defs/accessRule' } },
    roles: {
      type: 'object',
      maxProperties: 100,
      additionalProperties: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 512 } },
      description: 'role name to account names (as users type them at the login), for policy rules\' require_device.roles: e.g. { admin: [admin@example.com] }',
    },
    rate_limits: {
      type: 'array',
      maxItems: 100,
      items: { $ref: '#/$defs/rateLimit' },
      description: 'per-route rate limits per source and per account (lost password, registration, password reset...), with RateLimit headers',
    },
    checkouts: {
      type: 'array',
      maxItems: 20,
      items: { $ref: '#/$defs/checkout' },
      description: 'checkout endpoints mamori reads card payments at, to stop card testing before the payment gateway is called (docs/checkout.md)',
    },
    mfa_gate: obj(
      {
        paths: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^/', maxLength: 1024 }, description: 'paths behind the sign-in, matched as the access policy matches paths (/wp-admin covers /wp-admin/...)' },
        issuer: { type: 'string', minLength: 1, maxLength: 100, description: 'the name the sign-in page and authenticator apps show (default mamori)' },
        session: { ...duration, description: 'how long a sign-in lasts (default 8h)' },
        cookie: { type: 'string', pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]{1,128}$', description: "the gate's cookie (default mamori_mfa); taken out of requests before they reach the site" },
        webauthn: obj(
          {
            rp_id: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$', description: "the relying party id passkeys are made for: the site's host name or a parent domain of it (localhost for tests)" },
            rp_name: { type: 'string', minLength: 1, maxLength: 100, description: 'the name a passkey prompt shows (default: issuer)' },
            origins: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', maxLength: 300 }, description: 'the origins the sign-in page is served from (https://host[:port]; http only for localhost)' },
            user_verification: { enum: ['required', 'preferred'], description: 'whether a passkey must verify its user (PIN, fingerprint); default preferred' },
          },
          { required: ['rp_id', 'origins'], description: 'passkeys (WebAuthn) as a second factor beside TOTP (docs/mfa.md)' },
        ),
      },
      { required: ['paths'], description: "mamori's own sign-in, a password and a TOTP code from an authenticator app, in front of these paths: for a site with no second factor of its own (users: mamori users add)" },
    ),
    checkout_protection: obj(
      {
        mode,
        window: { ...duration, description: 'the window of the failure limits and the distinct-card counts (default 1h)' },
        failures: obj(
          { card_source: count(1000), card: count(1000), customer: count(1000), source: count(10_000) },
          { description: 'failed payments (declines and cards rejected before the gateway) in the window before a block: defaults 3 per card and source, 10 per card, 5 per customer, 10 per source' },
        ),
        cards_per: obj(
          Object.fromEntries(
            ['source', 'network', 'session', 'device', 'account'].map((k) => [k, obj({ challenge_at: count(100_000), block_at: count(100_000) })]),
          ),
          { description: 'distinct cards in the window: a challenge, then a block (network: the /24 or /64)' },
        ),
        guest_weight: { type: 'number', minimum: 1, maximum: 10, description: "how much more a guest checkout's counts weigh (default 1.5)" },
        variants_per_card: { ...count(100), description: 'distinct expiry dates or security codes on one card in the window before the card is blocked (default 3)' },
        bin: obj(
          { window: duration, step_up_at_cards: count(), step_up_at_declines: count(), challenge_at_sources: count() },
          { description: 'one BIN: distinct cards, or declines, before 3-D Secure is asked for; distinct sources before guests are challenged (defaults 20, 3 and 8 in 10m)' },
        ),
        sequence: obj({ max_gap: { type: 'integer', minimum: 1, maximum: 1_000_000 }, count: count(1000) }, { description: 'numbers of one BIN within max_gap of each other: count of them is a challenge (defaults 100 and 3)' }),
        declines: obj(
          {
            source_min: count(),
            source_ratio: { type: 'number', minimum: 0.01, maximum: 1 },
            site_window: duration,
            site_min: count(),
            site_ratio: { type: 'number', minimum: 0.01, maximum: 1 },
            pause: duration,
          },
          { description: 'decline ratios: per source (a challenge), and site-wide (the circuit breaker pausing guest checkout for pause)' },
        ),
        small_amount: {
          type: 'object',
          maxProperties: 200,
          additionalProperties: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
          description: "amounts at or below this, in the currency's minor unit, step a guest up to 3-D Secure: by ISO 4217 code, and default (default 100)",
        },
        block_for: { ...duration, description: 'how long a source that tested cards is blocked (default 1h)' },
        accept: {
          type: 'array',
          minItems: 1,
          items: { enum: ['visa', 'mastercard', 'amex', 'jcb', 'diners', 'discover', 'unionpay', 'maestro', 'mir'] },
          description: 'the card brands the shop takes; others are rejected before the gateway (default all)',
        },
      },
      { description: 'checkout protection against card testing (credit master attacks): thresholds and windows, with the reasoning in docs/checkout.md' },
    ),
    challenge: obj({
      base_difficulty: { type: 'integer', minimum: 1, maximum: 30 },
      max_difficulty: { type: 'integer', minimum: 1, maximum: 32 },
      browser_max_difficulty: { type: 'integer', minimum: 1, maximum: 32, description: 'the hardest puzzle shown to a browser (default 22: about 0.7 s on a desktop, a few seconds on a slow phone); above it, browsers get a block that says why' },
      ttl: duration,
      submit_path: {
        type: 'string',
        pattern: '^/(?![/\\\\])[A-Za-z0-9._~!$&\'()*+,;=:@%/-]{0,255}$',
        description: "where browsers post their answers, as they see the site (default /.mamori/challenge); behind a proxy that strips a prefix, the prefixed path (/shop/.mamori/challenge): mamori itself still answers at /.mamori/challenge",
      },
    }),
    webhooks: {
      type: 'array',
      maxItems: 20,
      items: obj(
        {
          url: { type: 'string', pattern: '^https?://' },
          secret: { type: 'string', minLength: 16 },
          events: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9-]+$' }, description: 'the event.action names to send (docs/webhooks.md lists them); default: the attack events' },
          include_account: { type: 'boolean', description: "send the account name as the user typed it (user.name), so the site can tell its user; mamori itself stores only keyed hashes of names (default false)" },
        },
        { required: ['url'] },
      ),
    },
    watch: {
      type: 'object',
      additionalProperties: true,
      description: 'log monitoring (mamori watch): inputs (files, syslog, the journal, an HTTP endpoint, mamori\'s own events), scenarios and Sigma rules; checked by @mamori/detect (docs/detect.md)',
    },
    alerts: {
      type: 'object',
      additionalProperties: true,
      description: 'what alerts of log detection do (mamori watch, mamori replay --store): decisions, the nftables firewall, notifiers (webhook, Slack, e-mail, syslog/CEF); checked by @mamori/detect (docs/detect.md)',
    },
    demo: obj({ trust_loopback_forwarded_for: { type: 'boolean', description: 'DEMO ONLY: believe X-Forwarded-For from loopback so the simulator can play many sources' } }),
  }),
  $defs: {
    login: obj(
      {
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
        method: { enum: ['POST', 'PUT', 'GET', '*'], description: 'default POST; * (any) for credentials: http-auth' },
        path: { type: 'string', pattern: '^/', maxLength: 2048, description: 'the login path; /login.php also covers /login.php/anything, /app/index.php also /app/' },
        paths: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          items: { type: 'string', pattern: '^(/|\\*$)', maxLength: 2048 },
          description: 'several login paths; /api/* is a whole subtree, * every path',
        },
        path_info: { type: 'boolean', description: 'whether /login.php/anything is this login too; default: yes when the last segment has an extension' },
        credentials: {
          enum: ['body', 'http-auth', 'xmlrpc'],
          description: 'body (form or JSON fields, the default), http-auth (the Authorization header: Basic or Digest) or xmlrpc (calls such as WordPress xmlrpc.php, system.multicall included)',
        },
        username: {
          oneOf: [
            obj({ form: { type: 'string', minLength: 1 }, normalize: usernameNormalize }, { required: ['form'] }),
            obj({ json: { type: 'string', minLength: 1 }, normalize: usernameNormalize }, { required: ['json'] }),
          ],
          description: 'where the account name is: a form field or a JSON path like user.email; a request to the path without it is not a login',
        },
        password: {
          oneOf: [obj({ form: { type: 'string', minLength: 1 } }, { required: ['form'] }), obj({ json: { type: 'string', minLength: 1 } }, { required: ['json'] })],
          description: 'where the password is (used only, keyed and short-lived, to spot password spraying)',
        },
        xmlrpc: obj(
          {
            methods: {
              type: 'object',
              maxProperties: 500,
              additionalProperties: { type: 'array', maxItems: 2, items: { type: 'integer', minimum: 0, maximum: 50 } },
              description: 'method name: [position of the account name, position of the password] among its params; [] for a method without credentials',
            },
            default_params: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'integer', minimum: 0, maximum: 50 }, description: 'positions for methods not listed' },
          },
          { description: 'which params of which XML-RPC calls are credentials (credentials: xmlrpc)' },
        ),
        failure: obj({
          status: { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 } },
          redirect_contains: { type: 'string', minLength: 1 },
          body_contains: { type: 'string', minLength: 1 },
          fault_codes: { type: 'array', maxItems: 20, items: { type: 'integer' }, description: 'XML-RPC fault codes that mean a wrong password, e.g. [403] for WordPress' },
        }),
        success: {
          ...obj({
            status: { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 } },
            redirect_contains: { type: 'string', minLength: 1 },
            set_cookie: { type: 'string', pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]{1,128}$', description: 'a cookie (name or name prefix) the site sets only on a real login, e.g. wordpress_logged_in_' },
            headers: {
              type: 'object',
              maxProperties: 10,
              additionalProperties: { type: 'string', minLength: 1, maxLength: 256 },
              description: 'response headers that must all show, name to a part of the value: e.g. what a site answers only to a logged-in API client',
            },
            account_cookie: {
              type: 'string',
              pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]{1,128}$',
              description: "a cookie (name prefix) whose value starts with the account the site logged in, up to '|' (WordPress's wordpress_logged_in_): the trusted device is for that account",
            },
          }),
          description: 'how a successful login shows; only a match resets counts and earns a trusted-device cookie, so use something an attacker cannot produce',
        },
        except_query: {
          type: 'object',
          maxProperties: 20,
          additionalProperties: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 128 } },
          description: 'requests to this path that are not logins, by query parameter: e.g. { action: [lostpassword, register] } for WordPress',
        },
        account_scope: accountScope,
        refuse_fields: {
          type: 'array',
          maxItems: 20,
          items: { type: 'string', minLength: 1, maxLength: 128 },
          description: 'fields a login may not carry (in the body or the query), such as a redirect target that would make a failure look like a success',
        },
      },
      { required: ['failure'] },
    ),
    loginPreset: obj(
      {
        preset: { enum: [...PRESET_NAMES], description: 'a known application: every route to its passwords, with its signs of success and failure (docs/presets.md)' },
        base: { type: 'string', pattern: '^(/[^?#]*)?$', maxLength: 512, description: 'where the application is mounted, e.g. /blog; each preset has its default' },
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,48}$', description: 'prefix for the endpoints\' names (default: the preset)' },
        account_scope: { ...accountScope, description: `${accountScope.description} (default: name, else the application)` },
      },
      { required: ['preset'] },
    ),
    checkout: obj(
      {
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
        method: { type: 'string', pattern: '^[A-Za-z]{1,16}$', description: 'default POST' },
        path: { type: 'string', pattern: '^/', maxLength: 2048, description: 'the path the shop takes payments at' },
        fields: obj(
          {
            number: { type: 'string', minLength: 1, maxLength: 256 },
            exp_month: { type: 'string', minLength: 1, maxLength: 256 },
            exp_year: { type: 'string', minLength: 1, maxLength: 256 },
            cvc: { type: 'string', minLength: 1, maxLength: 256 },
            amount: { type: 'string', minLength: 1, maxLength: 256 },
            currency: { type: 'string', minLength: 1, maxLength: 256 },
          },
          { description: 'form field names, or dotted JSON paths (defaults card.number, card.exp_month, card.exp_year, card.cvc, amount)' },
        ),
        currency: { type: 'string', pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code when the body carries none (default JPY)' },
        session_cookie: { type: 'string', pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]{1,128}$', description: "the shop's session cookie (distinct cards per session)" },
        approved: obj({ status: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'integer', minimum: 100, maximum: 599 } } }, { description: 'how the shop answers an approved payment (default status 200, 201)' }),
        declined: obj({ status: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'integer', minimum: 100, maximum: 599 } } }, { description: 'how the shop answers a declined payment (default status 402); a rejected card gets the first' }),
      },
      { required: ['path'] },
    ),
    rateLimit: obj(
      {
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'names the limit in events and in the RateLimit headers' },
        paths: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^/', maxLength: 1024 }, description: 'matched as the access policy matches paths' },
        methods: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Z]{1,16}$' } },
        query: {
          type: 'object',
          maxProperties: 20,
          additionalProperties: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', maxLength: 128 } },
          description: 'only requests naming one of these values, in the query string or a body field: e.g. { action: [lostpassword, retrievepassword] }',
        },
        per_source: obj({ limit: count(), window: duration }, { required: ['limit', 'window'], description: 'requests per client address (grouped by network.ipv4_prefix / ipv6_prefix)' }),
        per_account: obj(
          {
            field: {
              oneOf: [obj({ form: { type: 'string', minLength: 1 } }, { required: ['form'] }), obj({ json: { type: 'string', minLength: 1 } }, { required: ['json'] })],
              description: 'where the account name is in the body: a form field or a JSON path',
            },
            limit: count(),
            window: duration,
          },
          { required: ['field', 'limit', 'window'], description: 'requests per account named in the body' },
        ),
        action: { enum: ['block', 'challenge'], description: 'block answers 429 with Retry-After (default); challenge asks for a proof of work' },
        headers: { type: 'boolean', description: 'RateLimit and RateLimit-Policy on the answers of matching requests (default true)' },
        mode,
      },
      { required: ['name', 'paths'] },
    ),
    accessRule: obj(
      {
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
        preset: { enum: [...POLICY_PRESET_NAMES], description: "a known application's admin area: its paths (and exceptions) filled in; give the conditions yourself" },
        base: { type: 'string', pattern: '^(/[^?#]*)?$', maxLength: 512, description: 'with preset: where the application is mounted' },
        paths: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^/' } },
        except_paths: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^/' }, description: 'paths under paths that the rule leaves alone, e.g. /wp-admin/admin-ajax.php' },
        methods: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{1,16}$' } },
        allow_ips: cidrList,
        deny_ips: cidrList,
        allow_countries: countryList,
        deny_countries: countryList,
        require_device: {
          oneOf: [
            { type: 'boolean' },
            obj(
              {
                accounts: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 512 } },
                roles: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } },
                account_scope: { ...accountScope, description: 'only devices trusted in this application (a login\'s account_scope) count; default: any' },
              },
              { minProperties: 1 },
            ),
          ],
          description: 'a trusted-device cookie is needed: true for any account\'s (a customer\'s too), or only those of the listed accounts and roles',
        },
        action: { enum: ['block', 'challenge'] },
        mode,
      },
      { required: ['name'] },
    ),
  },
};
