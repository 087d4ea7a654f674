export { Pipeline, type AlertSink, type PipelineOptions, type PipelineStats } from './pipeline.js';
export { replayFiles, type ReplayOptions, type ReplaySummary, type ParseFn, type FileTally } from './replay.js';
export { parseJsonLine } from './json-lines.js';
export { readLines, readLineBatches, fdStream, DEFAULT_MAX_LINE, type LineSource, type ReadLineOptions } from './read-lines.js';
export { ActivityTracker, renderTimeline, alertSource, alertAccount, type Timeline, type TimelineEntry, type TimelineAlert, type Success } from './timeline.js';
