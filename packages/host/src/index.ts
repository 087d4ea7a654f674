/**
 * @mamori/host: mamori on the servers themselves. File integrity baselines
 * (`fim/`), backdoor and webshell scanning (`scan/`), indicators of
 * compromise and the host check (`ioc/`). Each part exports its public names
 * here, and only here.
 */
export { INDICATOR_KINDS, IOC_LIMITS, normalizeIndicator, type IndicatorKind, type ParsedIndicator, type ParseResult, type SkippedIndicator } from './ioc/indicator.js';
export { IocMatcher, IocMatcherBuilder, type IocHit, type IocFileQuery } from './ioc/matcher.js';
export { parseStix, parseStixPattern } from './ioc/stix.js';
export { parseMisp, type MispOptions } from './ioc/misp.js';
export { parseTextList, detectKind } from './ioc/csv.js';
export { parseIndicators, readIndicatorFile, detectFormat } from './ioc/read.js';
export { IocStore, iocStorePath, loadIocMatcher, checkSourceName, type StoredIndicator, type IocSource, type IocFormat, type ImportOutcome, type IocStats } from './ioc/store.js';
export { fetchFeed, refreshSource, refreshSources, watchSources, isDue, DEFAULT_FEED_LIMITS, type FeedLimits, type SourceRefresh, type SourceWatchOptions } from './ioc/fetch.js';
export { checkHost, hostCheckEvents, parseProcNet, type HostCheckOptions, type HostCheckReport, type HostFinding, type HostListener } from './ioc/host.js';
export { PROXYWARE_INDICATORS, PROXYWARE_REPORTS, PROXYWARE_SOURCE, addProxywareIndicators, proxywareEntry, type ProxywareIndicator, type ProxywareReport } from './ioc/proxyware.js';
export { FimDb, type Baseline, type BaselineMeta, type FimDbOptions, type HistoryRecord } from './fim/baseline-db.js';
export { generationsFileFor } from './fim/generations.js';
export { acceptChanges, attrValue, checkBaseline, initBaseline, scan as fimScan, DIFF_MAX_BYTES, type AcceptOptions, type AcceptResult, type CheckOptions, type InitOptions, type InitResult, type ScanOptions as FimScanOptions } from './fim/check.js';
export { checkEvents as fimCheckEvents, type FimEvent } from './fim/events.js';
export { compileGlob, type Glob } from './fim/glob.js';
export { assertKeyOutside, ensureKey, readKey } from './fim/key.js';
export { RuleSet, loadRules, parseAttributes, type FimRuleInput, type FimRulesInput } from './fim/rules.js';
export { ATTRIBUTES, type AttrChange, type Attribute, type ChangedFile, type CheckMode, type CheckReport, type FileType, type FimEntry, type ScanProblem } from './fim/types.js';
export { FimWatcher, type WatchOptions as FimWatchOptions } from './fim/watch.js';
export { createTimedScanner, type TimedScanner, type TimedScannerOptions } from './scan/timed.js';
export { createScanner, fileKind, VERDICTS, type Scanner, type ScannerOptions, type FileResult, type Finding, type Verdict, type FileKind, type FileIndicatorSource } from './scan/scanner.js';
export { toSarif, type SarifOptions } from './scan/sarif.js';
export { type RuleLoadProblem } from './scan/yara.js';
