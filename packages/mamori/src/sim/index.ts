/** The attack simulator: scripted attacks against a site you own, with the real user logging in throughout. */
export * from './types.js';
export * from './target.js';
export * from './sources.js';
export { CookieJar, classifyLogin, parseChallenge, type ChallengeInfo } from './http.js';
export * from './scenarios/builtins.js';
export { DEMO_USER, SIM_LIMITS, emptyTally, resolveScenario, runSimulation } from './runner.js';
