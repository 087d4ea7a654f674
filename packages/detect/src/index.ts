/**
 * @mamori/detect: log monitoring and detection (`mamori watch`, `mamori replay`): sources,
 * parsers, scenarios, Sigma rules, decisions and alerts. Each part exports its public
 * names here, and only here.
 */
export { FIELDS, type Alert, type AlertSeverity, type Detector, type FieldValue, type LineParser, type LogEvent, type RawLine } from './model.js';
export { ScenarioEngine, loadScenarioFiles, loadBuiltinScenarios, parseScenarioTexts, builtinScenarioDir, compileExpr, WordList, type Scenario, type BucketSpec, type ScenarioSet, type ScenarioEngineOptions, type EngineStats, type ScenarioStats, type Predicate } from './scenarios/index.js';
export { Pipeline, replayFiles, parseJsonLine, readLines, ActivityTracker, renderTimeline, type AlertSink, type PipelineOptions, type PipelineStats, type ReplayOptions, type ReplaySummary, type ParseFn, type Timeline, type TimelineEntry } from './pipeline/index.js';
