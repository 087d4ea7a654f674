/**
 * @mamori/detect: log monitoring and detection (`mamori watch`, `mamori replay`): sources,
 * parsers, scenarios, Sigma rules, decisions and alerts. Each part exports its public
 * names here, and only here.
 */
export { FIELDS, type Alert, type AlertSeverity, type Detector, type FieldValue, type LineParser, type LogEvent, type RawLine } from './model.js';
export { loadSigmaRules, compileSigmaRules, SigmaDetector, type SigmaOptions, type SigmaLoadResult, type SigmaRuleInfo, type SigmaStats } from './sigma/engine.js';
export { DEFAULT_LOGSOURCES, WEB_FIELDS, LINUX_FIELDS, FIREWALL_FIELDS, type LogsourceEntry } from './sigma/logsources.js';
export type { SigmaProblem } from './sigma/yaml.js';
