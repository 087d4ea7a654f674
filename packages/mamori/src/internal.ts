/**
 * mamori/internal: every module's exports, for mamori's own adapters, stores,
 * CLI, tests and benchmarks. NOT a stable API: names here change or go in any
 * release without notice. Applications use the package root ('mamori'), whose
 * names are listed and tested (test/e2e/public-api.test.ts).
 */
export * from './core/errors.js';
export * from './core/registry.js';
export * from './core/clock.js';
export * from './core/random.js';
export * from './core/duration.js';
export * from './core/net.js';
export * from './core/url.js';
export * from './core/crypto.js';
export * from './core/bounded-get.js';
export * from './core/lru.js';
export * from './core/sqlite-file.js';
export * from './core/delivery-queue.js';
export * from './core/siphash.js';
export * from './core/events.js';
export * from './core/decisions.js';
export * from './core/store.js';
export * from './core/counter-table.js';
export * from './core/memory-store.js';
export * from './guard/verdict.js';
export * from './config/validate.js';
export * from './config/schema.js';
export * from './config/config.js';
export type * from './config/yaml-types.js';
export * from './guard/cookies.js';
export * from './guard/device-token.js';
export * from './guard/login.js';
export * from './guard/login-endpoint.js';
export * from './guard/checkout-endpoint.js';
export * from './guard/second-factor.js';
export * from './guard/own-headers.js';
export * from './guard/mfa-gate.js';
export * from './checkout/card.js';
export * from './checkout/checkout.js';
export * from './mfa/otp.js';
export * from './mfa/totp-verifier.js';
export * from './mfa/secret-box.js';
export * from './mfa/recovery-codes.js';
export * from './mfa/qr.js';
export * from './mfa/users.js';
export * from './mfa/webauthn.js';
export * from './mfa/webauthn-config.js';
export * from './guard/webhook.js';
export * from './guard/geo.js';
export * from './guard/access-policy.js';
export * from './guard/challenge.js';
export * from './guard/challenge-page.js';
export * from './guard/block-page.js';
export * from './guard/messages.js';
export * from './guard/rate-limit.js';
export * from './guard/guard.js';
export * from './guard/adapter-kit.js';
export * from './guard/waf-guard.js';
export * from './guard/waf-http.js';
export * from './guard/waf-mask.js';
export * from './proxy/index.js';
export * from './waf/tar.js';
export * from './waf/ftw/through-proxy.js';
export { loadProductWaf, SETUP_IDS, type WafProductOptions } from './waf/product.js';
export * from './proxy/mamori-proxy.js';
export * from './sim/index.js';
export * from './runtime.js';
export * from './sim/flood.js';
