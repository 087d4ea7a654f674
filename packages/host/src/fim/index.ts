/**
 * @mamori/host/fim: file integrity monitoring alone (the same names as the package root's
 * fim part). `mamori fim` imports this, not the root, so a check loads neither the scanner's
 * YARA engine nor the IoC code nor mamori's engine: start-up is most of a fast check's CPU.
 */
export { FimDb, type Baseline, type BaselineMeta, type FimDbOptions, type HistoryRecord } from './baseline-db.js';
export { generationsFileFor } from './generations.js';
export { acceptChanges, attrValue, checkBaseline, initBaseline, scan as fimScan, DIFF_MAX_BYTES, type AcceptOptions, type AcceptResult, type CheckOptions, type InitOptions, type InitResult, type ScanOptions as FimScanOptions } from './check.js';
export { checkEvents as fimCheckEvents, type FimEvent } from './events.js';
export { compileGlob, type Glob } from './glob.js';
export { assertKeyOutside, ensureKey, readKey } from './key.js';
export { RuleSet, loadRules, parseAttributes, type FimRuleInput, type FimRulesInput } from './rules.js';
export { ATTRIBUTES, type AttrChange, type Attribute, type ChangedFile, type CheckMode, type CheckReport, type FileType, type FimEntry, type ScanProblem } from './types.js';
export { FimWatcher, type WatchOptions as FimWatchOptions } from './watch.js';
