/**
 * Risk-based step-up for sites with a second factor of their own: the login protection tells the
 * site which logins should be asked for it, and why. Off unless `login_protection.second_factor`
 * lists reasons:
 *
 * - `new-device`: the browser brings no valid trusted-device cookie for the account;
 * - `new-country`: the login comes from another country than the account's last successful one
 *   (needs the country database: geo.database, or the bundled one);
 * - `after-failures`: the account failed `after_failures` times or more in its window before
 *   this login (someone may have been guessing its password).
 *
 * The reasons reach the site as the request header `x-mamori-second-factor` (comma-separated),
 * set by mamori only: a client's own copy is removed. In the library form they are
 * `PendingLogin.secondFactor`.
 */
import type { Store } from '../core/store.js';
import type { LoginAttempt, LoginVerdict } from './login-types.js';

export const SECOND_FACTOR_HEADER = 'x-mamori-second-factor';
export const SECOND_FACTOR_REASONS = ['new-device', 'new-country', 'after-failures'] as const;
export type SecondFactorReason = (typeof SECOND_FACTOR_REASONS)[number];

export interface SecondFactorConfig {
  askOn: readonly SecondFactorReason[];
  afterFailures: number;
}

/** What the step-up reads of the login protection: the account's failure counter, and its hash. */
export interface StepUpLogin {
  counterKeys(a: LoginAttempt): { user: string };
  userHash(username: string, scope?: string): string;
}

/** A country code as a number (a store counter holds it): two letters, A = 1. */
function countryNumber(cc: string): number {
  return (cc.charCodeAt(0) - 64) * 32 + (cc.charCodeAt(1) - 64);
}

const COUNTRY_TTL_MS = 400 * 86_400_000;

export class SecondFactorPolicy {
  readonly config: SecondFactorConfig;
  readonly #store: Store;
  readonly #login: StepUpLogin;

  constructor(config: SecondFactorConfig, deps: { store: Store; login: StepUpLogin }) {
    this.config = config;
    this.#store = deps.store;
    this.#login = deps.login;
  }

  get enabled(): boolean {
    return this.config.askOn.length > 0;
  }

  #countryKey(a: LoginAttempt): string {
    return `sf:${this.#login.userHash(a.username, a.scope)}`;
  }

  /** Why this allowed login should be asked for the second factor (empty: it need not be). */
  async reasons(a: LoginAttempt, v: LoginVerdict): Promise<SecondFactorReason[]> {
    const ask = this.config.askOn;
    const out: SecondFactorReason[] = [];
    if (ask.includes('new-device') && !v.trustedDevice) out.push('new-device');
    const wantCountry = ask.includes('new-country') && a.country !== undefined && /^[A-Z]{2}$/.test(a.country);
    const wantFailures = ask.includes('after-failures');
    if (!wantCountry && !wantFailures) return out;
    const keys = [wantFailures ? this.#login.counterKeys(a).user : '', wantCountry ? this.#countryKey(a) : ''].filter((k) => k !== '');
    const got = await this.#store.read(keys);
    let i = 0;
    // The check counted an untrusted attempt among the account's failures already (taken back if it
    // succeeds; a trusted device's are counted apart): the ones before it.
    if (wantFailures && (got[i++] ?? 0) - (v.trustedDevice ? 0 : 1) >= this.config.afterFailures) out.push('after-failures');
    if (wantCountry) {
      const last = got[i] ?? 0;
      if (last !== 0 && last !== countryNumber(a.country!)) out.push('new-country');
    }
    return out;
  }

  /** After a successful login: its country is the account's last one. */
  async remember(a: LoginAttempt): Promise<void> {
    if (!this.config.askOn.includes('new-country') || a.country === undefined || !/^[A-Z]{2}$/.test(a.country)) return;
    const key = this.#countryKey(a);
    await this.#store.reset([key]);
    await this.#store.increment([{ key, by: countryNumber(a.country), ttlMs: COUNTRY_TTL_MS }]);
  }
}
