/**
 * @mamori/vuln: which of your appliances, CMS plugins and packages are exploitable, and
 * what to patch first. Each part exports its public names here, and only here.
 */
export { ASSET_TYPES, type Asset, type AssetType, type Criticality, type CvssScore, type Exposure, type Finding, type FindingStatus, type SourceRef } from './model.js';
export { ASSET_DEFAULTS, CRITICALITIES, EXPOSURES, checkAsset, parseExposure, type AssetInput } from './inventory/asset.js';
export { loadInventoryFile, parseInventoryYaml, type InventoryError, type InventoryResult } from './inventory/inventory-file.js';
export { FINDING_STATES, VulnDb, vulnDbPath, type FindingClosure, type FindingHistoryEntry, type FindingState, type StoredFinding } from './inventory/db.js';
export { type DiscoverOptions, type Discovery } from './inventory/discover/common.js';
export { discoverWordPress, headerField } from './inventory/discover/wordpress.js';
export { discoverDpkg, discoverDpkgStatusFile, discoverRpm, parseDpkgQuery, parseDpkgStatus, parseRpmQuery } from './inventory/discover/system-packages.js';
export { discoverNpm, parsePackageLock, parsePnpmLock, parseYarnLock } from './inventory/discover/npm.js';
export { discoverCycloneDx, parseCycloneDx, parsePurl } from './inventory/discover/cyclonedx.js';
export { PRIORITIES, percentileWords, pickCvss, prioritise, type Assessment, type AssetFacts, type Priority } from './plan/priority.js';
export { DEFAULT_DEADLINES, buildPlan, formatDeadlines, parseDeadlines, planItem, type AssetPlan, type Deadlines, type Plan, type PlanInput, type PlanItem } from './plan/plan.js';
export { parseFindings, parseCheckOutput, checkSummaryLine, checkFinding, type CheckSummary } from './plan/findings-input.js';
export { acceptRisk, assetsWithFindings, closeRemovedAssets, emitAll, recordCheck, reopenFinding, reopenReturnedAssets, storedPlanInputs, sweep, type CheckOutcome, type VulnEvent } from './plan/lifecycle.js';
export { loadRulePackIndex, rulePackDir, wafAdvice, type PackRule, type RulePackIndex, type VirtualPatch, type WafAdvice } from './plan/waf.js';
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
export { DEBIAN_CODENAMES, DISTRO_IDS, osvEcosystemRelease, parseDistro, parseOsRelease, type Distro, type PackageFamily } from './feeds/distro.js';
export { readDebianTracker, type DebianRelease, type DebianTrackerRecord } from './feeds/debian-tracker.js';
export { readIpaAlerts, type IpaAlert } from './feeds/ipa.js';
export { PRODUCTS, type ProductSpec } from './data/products.js';
export { PANOS_FIXES, type PanosFixes } from './data/panos-fixes.js';
export { Matcher, matchInventory, type MatchProblem, type MatchReport } from './match/match.js';
export { resolveProduct, type ResolvedProduct } from './match/resolve.js';
export { parseInventory, readInventory } from './match/read-inventory.js';
