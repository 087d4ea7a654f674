/**
 * @mamori/detect: log monitoring and detection (`mamori watch`, `mamori replay`): sources,
 * parsers, scenarios, Sigma rules, decisions and alerts. Each part exports its public
 * names here, and only here.
 */
export { FIELDS, type Alert, type AlertSeverity, type Detector, type FieldValue, type LineParser, type LogEvent, type RawLine } from './model.js';
export { FileSource, type FileSourceOptions } from './sources/file.js';
export { CheckpointStore, type Checkpoint, type FileIdentity } from './sources/checkpoint.js';
export { StdinSource, ReplaySource, openLogStream, rotatedSeries, type StreamSourceOptions, type ReplaySourceOptions } from './sources/stream.js';
export { SyslogSource, type SyslogSourceOptions } from './sources/syslog.js';
export { parseSyslog, type ParsedSyslog } from './sources/syslog-parse.js';
export { JournalSource, type JournalSourceOptions } from './sources/journal.js';
export { HttpSource, type HttpSourceOptions } from './sources/http.js';
export { MamoriStoreSource, MamoriBusSource, type MamoriStoreSourceOptions, type MamoriBusSourceOptions } from './sources/mamori.js';
export { TokenBucket, type LogSource, type BatchConsumer, type SourceCounters, type SourceLimits } from './sources/source.js';
