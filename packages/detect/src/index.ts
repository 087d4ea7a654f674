/**
 * @mamori/detect: log monitoring and detection (`mamori watch`, `mamori replay`): sources,
 * parsers, scenarios, Sigma rules, decisions and alerts. Each part exports its public
 * names here, and only here.
 */
export { FIELDS, type Alert, type AlertSeverity, type Detector, type FieldValue, type LineParser, type LogEvent, type RawLine } from './model.js';
export { AlertCenter, type AlertCenterOptions, type AlertOutcome, type AlertCenterStats } from './alerts/sink.js';
export { AlertDb, type AlertDbOptions, type AlertFilter } from './alerts/alert-db.js';
export { validateAlertsConfig, type AlertsConfig, type NotifierConfig, type FirewallConfig } from './alerts/config.js';
export { NftFirewall, type NftOptions } from './alerts/firewall/nftables.js';
export { NotifierHub, type Channel, type ChannelStats } from './alerts/notify/hub.js';
export { type StoredAlert, type StoredSample, type DecisionRecord } from './alerts/stored.js';
export { type Notice, type AlertNotice, type DigestNotice } from './alerts/notify/notice.js';
export { createParsers, sniffFormat, candidates as parserCandidates, PARSER_NAMES, type ParserOptions, type ParserSet } from './parsers/registry.js';
export { compilePattern, readPatternFile, assertLinear, CAPTURE_TYPES, type CaptureType, type CompiledPattern, type CompiledRule, type FormatRule } from './parsers/grok.js';
export { BUILTIN_PATTERNS_YAML } from './parsers/patterns.js';
export { Enricher, BoundedCache, decidedFromStore, type EnrichOptions, type IocLookup, type IocHitLike, type DecidedLookup } from './enrich/enrich.js';
export { loadSigmaRules, compileSigmaRules, SigmaDetector, type SigmaOptions, type SigmaLoadResult, type SigmaRuleInfo, type SigmaStats } from './sigma/engine.js';
export { DEFAULT_LOGSOURCES, WEB_FIELDS, LINUX_FIELDS, FIREWALL_FIELDS, type LogsourceEntry } from './sigma/logsources.js';
export type { SigmaProblem } from './sigma/yaml.js';
export { ScenarioEngine, loadScenarioFiles, loadBuiltinScenarios, parseScenarioTexts, builtinScenarioDir, compileExpr, WordList, type Scenario, type BucketSpec, type ScenarioSet, type ScenarioEngineOptions, type EngineStats, type ScenarioStats, type Predicate } from './scenarios/index.js';
export { Pipeline, replayFiles, parseJsonLine, readLines, fdStream, ActivityTracker, type LineSource, renderTimeline, type AlertSink, type PipelineOptions, type PipelineStats, type ReplayOptions, type ReplaySummary, type ParseFn, type Timeline, type TimelineEntry } from './pipeline/index.js';
export { validateWatchConfig, type InputFormat, type WatchConfig, type WatchInput } from './watch/config.js';
export { FileSource, type FileSourceOptions } from './sources/file.js';
export { CheckpointStore, type Checkpoint, type FileIdentity } from './sources/checkpoint.js';
export { StdinSource, ReplaySource, openLogStream, rotatedSeries, type StreamSourceOptions, type ReplaySourceOptions } from './sources/stream.js';
export { SyslogSource, type SyslogSourceOptions } from './sources/syslog.js';
export { parseSyslog, type ParsedSyslog } from './sources/syslog-parse.js';
export { JournalSource, type JournalSourceOptions } from './sources/journal.js';
export { HttpSource, type HttpSourceOptions } from './sources/http.js';
export { MamoriStoreSource, MamoriBusSource, type MamoriStoreSourceOptions, type MamoriBusSourceOptions } from './sources/mamori.js';
export { TokenBucket, type LogSource, type BatchConsumer, type SourceCounters, type SourceLimits } from './sources/source.js';
export { WatchService, watchDetectors, type WatchOptions, type WatchStatus } from './watch/service.js';
