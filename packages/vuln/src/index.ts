/**
 * @mamori/vuln: which of your appliances, CMS plugins and packages are exploitable, and
 * what to patch first. Each part exports its public names here, and only here.
 */
export { ASSET_TYPES, type Asset, type AssetType, type Criticality, type CvssScore, type Exposure, type Finding, type FindingStatus, type SourceRef } from './model.js';
export { type Evidence } from './model.js';
export { GRAMMARS, grammar } from './versions/builtins.js';
export { compareKeys, isVersion, type Version, type VersionGrammar } from './versions/grammar.js';
export { phpVersionCompare } from './versions/wordpress.js';
export { VulnFeedStore, vulnFeedsPath, type FeedName, type FeedState } from './feeds/store.js';
export { importFeedDir, importFile, type ImportKind, type ImportReport } from './feeds/import-dir.js';
export { updateFeeds, watchFeeds, feedDue, DEFAULT_FEED_URLS, DEFAULT_INTERVALS, UPDATABLE_FEEDS, type FeedUpdate, type FeedUrls, type UpdatableFeed, type UpdateOptions } from './feeds/update.js';
export { parseJson, type FeedProblem, type JsonLimits } from './feeds/json.js';
export { parseCpe, type Cpe } from './feeds/cpe.js';
export { readNvdCve, readNvdPage, type NvdRecord } from './feeds/nvd.js';
export { readCve5, type Cve5Record } from './feeds/cve5.js';
export { readOsv, type OsvRecord } from './feeds/osv.js';
export { readKev, type KevEntry } from './feeds/kev.js';
export { readEpss, type EpssRow } from './feeds/epss.js';
export { readJvn, type JvnRecord } from './feeds/jvn.js';
export { PRODUCTS, type ProductSpec } from './data/products.js';
export { PANOS_FIXES, type PanosFixes } from './data/panos-fixes.js';
export { Matcher, matchInventory, type MatchProblem, type MatchReport } from './match/match.js';
export { resolveProduct, type ResolvedProduct } from './match/resolve.js';
export { parseInventory, readInventory } from './match/read-inventory.js';
