/** The attack simulator: scripted attacks against a site you own, with the real user logging in throughout. */
export type { SimAttackerSuccess, SimAttempt, SimClassification, SimFetch, SimOptions, SimReport, SimRequestInit, SimResponse, SimScenario, SimScenarioContext, SimTally } from './types.js';
export { checkTarget as checkSimTarget, isLoopbackHost } from './target.js';
export { SIM_USER_IP } from './sources.js';
export { SIM_SCENARIOS, BUILTIN_SCENARIOS, createScenarioRegistry } from './scenarios/builtins.js';
export { SIM_DEMO_USER, SIM_LIMITS, resolveScenario as resolveSimScenario, runSimulation } from './runner.js';
export { runCardTestingSimulation, type CardTestingOptions, type CardTestingReport, type GatewayCounts } from './card-testing.js';
