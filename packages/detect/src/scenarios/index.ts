export { ScenarioEngine, type ScenarioEngineOptions, type EngineStats, type ScenarioStats } from './engine.js';
export { loadScenarioFiles, loadBuiltinScenarios, parseScenarioTexts, builtinScenarioDir, scenarioFilesIn, type ScenarioSet } from './load.js';
export { compileExpr, ExprError, type Predicate, type ExprOrigin, type ExprContext, type Fields } from './expr.js';
export { WordList } from './word-list.js';
export { countryDistanceKm } from './countries.js';
export { BUCKET_KINDS, type Scenario, type BucketSpec, type BucketKind, type Remedy } from './scenario.js';
