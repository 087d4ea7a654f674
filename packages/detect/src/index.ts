/**
 * @mamori/detect: log monitoring and detection (`mamori watch`, `mamori replay`): sources,
 * parsers, scenarios, Sigma rules, decisions and alerts. Each part exports its public
 * names here, and only here.
 */
export { FIELDS, type Alert, type AlertSeverity, type Detector, type FieldValue, type LineParser, type LogEvent, type RawLine } from './model.js';
