/**
 * mamori.yaml as TypeScript: what `defaultConfig(...)` takes, so that a typo in a
 * programmatic config is a compile error. The same object is checked at run time against
 * CONFIG_SCHEMA (schema.ts), with the same messages as the YAML; the two are kept in step by
 * a test (yaml-types.test.ts) that feeds every key named here through the schema.
 */

import type { AccessRuleConfig } from '../guard/access-policy.js';

/** A duration: a number of milliseconds, or text such as `15m`, `1h`, `30s`. */
export type DurationText = string | number;
type Mode = 'enforce' | 'detect';
type Normalize = 'exact' | 'lowercase' | 'wordpress';
type Field = { form: string } | { json: string };

export interface LoginYaml {
  name?: string;
  path?: string;
  paths?: string[];
  method?: string;
  path_info?: boolean;
  credentials?: 'body' | 'http-auth' | 'xmlrpc';
  username?: (Field & { normalize?: Normalize }) | { form: string; normalize?: Normalize } | { json: string; normalize?: Normalize };
  password?: Field;
  xmlrpc?: { methods?: Record<string, number[]>; default_params?: number[] };
  failure: { status?: number[]; redirect_contains?: string; body_contains?: string; fault_codes?: number[] };
  success?: { status?: number[]; redirect_contains?: string; set_cookie?: string; account_cookie?: string; headers?: Record<string, string> };
  except_query?: Record<string, string[]>;
  refuse_fields?: string[];
  account_scope?: string;
}

export interface LoginPresetYaml {
  preset: string;
  base?: string;
  name?: string;
  account_scope?: string;
}

/** A policy rule as written: the compiled form's keys, with `paths` or a `preset` (and its `base`). */
export type AccessRuleYaml = Omit<AccessRuleConfig, 'paths'> & { paths?: string[]; preset?: string; base?: string };

export interface RateLimitYaml {
  name: string;
  paths: string[];
  methods?: string[];
  query?: Record<string, string[]>;
  per_source?: { limit: number; window: DurationText };
  per_account?: { field: Field; limit: number; window: DurationText };
  action?: 'block' | 'challenge';
  headers?: boolean;
  mode?: Mode;
}

export interface CheckoutYaml {
  name?: string;
  method?: string;
  path: string;
  fields?: { number?: string; exp_month?: string; exp_year?: string; cvc?: string; amount?: string; currency?: string };
  currency?: string;
  session_cookie?: string;
  approved?: { status?: number[] };
  declined?: { status?: number[] };
}

type Threshold = { challenge_at?: number; block_at?: number };

export interface CheckoutProtectionYaml {
  mode?: Mode;
  window?: DurationText;
  failures?: { card_source?: number; card?: number; customer?: number; source?: number };
  cards_per?: { source?: Threshold; network?: Threshold; session?: Threshold; device?: Threshold; account?: Threshold };
  guest_weight?: number;
  variants_per_card?: number;
  bin?: { window?: DurationText; step_up_at_cards?: number; step_up_at_declines?: number; challenge_at_sources?: number };
  sequence?: { max_gap?: number; count?: number };
  declines?: { source_min?: number; source_ratio?: number; site_window?: DurationText; site_min?: number; site_ratio?: number; pause?: DurationText };
  small_amount?: Record<string, number>;
  block_for?: DurationText;
  accept?: ('visa' | 'mastercard' | 'amex' | 'jcb' | 'diners' | 'discover' | 'unionpay' | 'maestro' | 'mir')[];
}

export interface MamoriYaml {
  $schema?: string;
  secret?: string;
  data_dir?: string;
  mode?: Mode;
  store?: {
    kind?: 'sqlite' | 'memory' | 'redis';
    path?: string;
    memory_max_bytes?: number;
    counter_flush_ms?: number;
    max_events?: number;
    url?: string;
    prefix?: string;
    command_timeout?: DurationText;
    read_text_entries?: boolean;
    when_unavailable?: { requests?: 'open' | 'closed'; logins?: 'open' | 'closed'; checkouts?: 'open' | 'closed'; rate_limits?: 'open' | 'closed' };
  };
  network?: { ipv4_prefix?: number; ipv6_prefix?: number; trusted_proxies?: string[] };
  geo?: { database?: string };
  /** `mamori scan`: the longest one file may take (default 10s), or off. */
  scan?: { file_timeout?: DurationText | 'off' };
  proxy?: {
    listen?: string;
    upstream: string;
    max_header_bytes?: number;
    max_headers?: number;
    max_body_bytes?: number;
    upstream_timeout?: DurationText;
    request_timeout?: DurationText;
  };
  logins?: (LoginYaml | LoginPresetYaml)[];
  login_protection?: {
    mode?: Mode;
    user_source?: { challenge_after?: number; block_after?: number; window?: DurationText; backoff_base?: DurationText; backoff_max?: DurationText };
    user?: { challenge_after?: number; close_after?: number; window?: DurationText; close_for?: DurationText };
    source?: { challenge_after_users?: number; block_after_users?: number; window?: DurationText; block_for?: DurationText };
    spraying?: { challenge_after_users?: number; block_after_users?: number; window?: DurationText };
    site?: { challenge_above_failures?: number; window?: DurationText };
    challenged?: { block_after_failures?: number; block_after_ignored?: number; window?: DurationText; block_for?: DurationText };
    trusted_device?: { enabled?: boolean; ttl?: DurationText; cookie?: string; max_failures_per_device?: number; max_failures_per_account?: number };
    notify_after_failures?: number;
    second_factor?: { ask_on?: ('new-device' | 'new-country' | 'after-failures')[]; after_failures?: number };
  };
  policy?: AccessRuleYaml[];
  roles?: Record<string, string[]>;
  rate_limits?: RateLimitYaml[];
  checkouts?: CheckoutYaml[];
  checkout_protection?: CheckoutProtectionYaml;
  mfa_gate?: { paths: string[]; issuer?: string; session?: DurationText; cookie?: string; webauthn?: { rp_id: string; rp_name?: string; origins: string[]; user_verification?: 'required' | 'preferred' } };
  challenge?: { base_difficulty?: number; max_difficulty?: number; browser_max_difficulty?: number; ttl?: DurationText; submit_path?: string };
  webhooks?: { url: string; secret?: string; events?: string[]; include_account?: boolean }[];
  /** Log monitoring (mamori watch): checked by @mamori/detect. */
  watch?: Record<string, unknown>;
  /** What log detection's alerts do: checked by @mamori/detect. */
  alerts?: Record<string, unknown>;
  demo?: { trust_loopback_forwarded_for?: boolean };
  waf?: WafYaml;
}

export interface WafYaml {
  enabled?: boolean;
  mode?: Mode;
  crs?: string;
  own_rules?: boolean;
  rules?: string[];
  paranoia?: 1 | 2 | 3 | 4;
  anomaly_threshold?: { inbound?: number; outbound?: number };
  request_body_limit?: number;
  request_body_no_files_limit?: number;
  max_arguments?: number;
  response_body?: boolean;
  strict?: boolean;
  libinjection?: string;
  crs_settings?: Record<string, string | number>;
  exclusions?: { name: string; paths: string[]; methods?: string[]; rules?: (string | number)[]; tags?: string[]; targets?: string[]; args?: Record<string, string[]> }[];
  block_sources?: { after?: number; window?: DurationText; block_for?: DurationText };
  cpu_budget?: { per_source?: DurationText; window?: DurationText };
  audit_log?: string | false;
}
