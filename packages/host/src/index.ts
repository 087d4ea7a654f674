/**
 * @mamori/host: mamori on the servers themselves. File integrity baselines
 * (`fim/`), backdoor and webshell scanning (`scan/`), indicators of
 * compromise and the host check (`ioc/`). Each part exports its public names
 * here, and only here.
 */
export { FimDb, type Baseline, type BaselineMeta, type HistoryRecord } from './fim/baseline-db.js';
export { acceptChanges, attrValue, checkBaseline, initBaseline, scan as fimScan, DIFF_MAX_BYTES, type AcceptOptions, type AcceptResult, type CheckOptions, type InitOptions, type InitResult, type ScanOptions as FimScanOptions } from './fim/check.js';
export { checkEvents as fimCheckEvents, type FimEvent } from './fim/events.js';
export { compileGlob, type Glob } from './fim/glob.js';
export { assertKeyOutside, ensureKey, readKey } from './fim/key.js';
export { RuleSet, loadRules, parseAttributes, type FimRuleInput, type FimRulesInput } from './fim/rules.js';
export { ATTRIBUTES, type AttrChange, type Attribute, type ChangedFile, type CheckMode, type CheckReport, type FileType, type FimEntry, type ScanProblem } from './fim/types.js';
export { FimWatcher, type WatchOptions as FimWatchOptions } from './fim/watch.js';
