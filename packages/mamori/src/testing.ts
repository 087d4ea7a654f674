/** Helpers for mamori's own tests and for backends' conformance suites. */
export { ManualClock } from './core/clock.js';
export { SeededRandom } from './core/random.js';
export { runStoreConformance } from './core/store.case.js';
export { runAdapterConformance, ADAPTER_APP, type AdapterServer, type StartAdapterApp } from './testing/adapter.case.js';
export { runWafAdapterConformance, WAF_APP, type StartWafAdapterApp, type WafAdapterServer, type WafSeen } from './testing/waf-adapter.case.js';
export { sharedData } from './testing/shared-data.js';
