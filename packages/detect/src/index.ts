/**
 * @mamori/detect: log monitoring and detection (`mamori watch`, `mamori replay`): sources,
 * parsers, scenarios, Sigma rules, decisions and alerts. Each part exports its public
 * names here, and only here.
 */
export { FIELDS, type Alert, type AlertSeverity, type Detector, type FieldValue, type LineParser, type LogEvent, type RawLine } from './model.js';
export { createParsers, sniffFormat, candidates as parserCandidates, PARSER_NAMES, type ParserOptions, type ParserSet } from './parsers/registry.js';
export { compilePattern, readPatternFile, assertLinear, CAPTURE_TYPES, type CaptureType, type CompiledPattern, type CompiledRule, type FormatRule } from './parsers/grok.js';
export { BUILTIN_PATTERNS_YAML } from './parsers/patterns.js';
export { Enricher, BoundedCache, decidedFromStore, type EnrichOptions, type IocLookup, type IocHitLike, type DecidedLookup } from './enrich/enrich.js';
