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
