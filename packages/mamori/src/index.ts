/**
 * mamori's public API: what the README, the packages' READMEs and docs/ describe.
 *
 * Every name exported here is listed in test/e2e/public-api.test.ts, which fails
 * when one appears or disappears without that list (and the changelog of the
 * release) saying so. What mamori's own adapters, stores, CLI and tests need
 * beyond this is in `mamori/internal`, which is not a stable API.
 */

// Assembling mamori from its config: the same secret, store, country database and
// guard as `mamori up`.
export { loadMamori, clientAddressFor, MIN_SECRET_LENGTH, type Mamori, type LoadMamoriOptions } from './runtime.js';
export {
  loadConfig,
  parseConfig,
  defaultConfig,
  configWarnings,
  LOGIN_DEFAULTS,
  DEFAULT_SCAN_FILE_TIMEOUT_MS,
  type MamoriConfig,
  type Mode,
  type FieldLocator,
  type CredentialSource,
  type LoginEndpointConfig,
  type XmlRpcLoginConfig,
  type RateLimitConfig,
  type LoginProtectionConfig,
  type WafConfig,
  type WafExclusionConfig,
} from './config/config.js';
export type { MamoriYaml, LoginYaml, LoginPresetYaml, AccessRuleYaml, RateLimitYaml, WafYaml, DurationText } from './config/yaml-types.js';
export { CONFIG_SCHEMA } from './config/schema.js';

// The guard: decisions, access policy, login protection, challenges. Adapters take one.
export { createGuard, CHALLENGE_PATH, type Guard, type GuardDeps, type PendingLogin, type RespondOrigin } from './guard/guard.js';
export type { Verdict, RenderedResponse, RequestInfo } from './guard/verdict.js';
export type { LoginAttempt, LoginVerdict, LoginReport, UsernameNormalization } from './guard/login.js';
export type { LoginFields, LoginOutcome, LoginAnswer } from './guard/login-endpoint.js';
export { readCookie } from './guard/cookies.js';
export { mamoriWafHandler, type MamoriWafHandlerOptions } from './guard/waf-http.js';
export type { WafGuard, WafExchange, WafRequestParts } from './guard/waf-guard.js';
export { openCountryDatabase, defaultCountryDatabasePath, staticCountryLookup, type CountryLookup, type CountryDatabaseOptions } from './guard/geo.js';
export { DEFAULT_WEBHOOK_EVENTS, WEBHOOK_DROPPED_EVENT } from './guard/webhook.js';

// Checkout protection (card testing): the engine a Guard carries as `guard.checkout`.
export { CheckoutGuard, CHECKOUT_DEFAULTS, type CheckoutAttempt, type CheckoutVerdict, type CheckoutAction, type CheckoutOutcome, type CheckoutPolicy, type PendingCheckout } from './checkout/checkout.js';
export type { CardInput, CardRef, CardBrand, CardProblem } from './checkout/card.js';
export { STEP_UP_HEADER } from './guard/checkout-endpoint.js';
export { SECOND_FACTOR_HEADER, SECOND_FACTOR_REASONS, type SecondFactorReason } from './guard/second-factor.js';
export type { CheckoutEndpointConfig } from './config/config.js';
export type { CheckoutYaml, CheckoutProtectionYaml } from './config/yaml-types.js';

// Stores: the in-memory one here, SQLite in @mamori/store-sqlite; the contract for others.
export { MemoryStore, type MemoryStoreOptions } from './core/memory-store.js';
export type { Store, CounterOp, DistinctOp, DecisionFilter, DecisionStore, EventStore, CounterFloor, FlooredStore } from './core/store.js';
export { hasFloors } from './core/store.js';
export {
  DECISION_ACTIONS,
  DECISION_SCOPES,
  validateDecisionInput,
  normalizeDecisionValue,
  type Decision,
  type DecisionInput,
  type DecisionAction,
  type DecisionScope,
  type Subject,
} from './core/decisions.js';
export {
  boundEvent,
  EVENT_ACTIONS,
  type EventAction,
  type SecurityEvent,
  type SecurityEventInput,
  type EventQuery,
  type EventOutcome,
  type EventSink,
  type EventContext,
} from './core/events.js';
export { systemClock, type Clock } from './core/clock.js';

// Errors (docs/errors.md) and durations as the config writes them.
export { MamoriError, isMamoriError, ERRORS, type ErrorCode, type ErrorSpec } from './core/errors.js';
export { parseDuration, formatDuration } from './core/duration.js';

// The reverse proxy (`mamori up`).
export { startMamoriProxy, type MamoriProxyOptions } from './proxy/mamori-proxy.js';

// The attack simulator (`mamori simulate`), against a site you own.
export {
  runSimulation,
  SIM_SCENARIOS,
  SIM_DEMO_USER,
  type SimOptions,
  type SimReport,
  type SimTally,
  type SimAttempt,
  type SimScenario,
  type SimScenarioContext,
  type SimClassification,
  type SimAttackerSuccess,
  type SimFetch,
  type SimRequestInit,
  type SimResponse,
} from './sim/index.js';
