/**
 * @mamori/vuln: which of your appliances, CMS plugins and packages are exploitable, and
 * what to patch first. Each part exports its public names here, and only here.
 */
export { ASSET_TYPES, type Asset, type AssetType, type Criticality, type CvssScore, type Exposure, type Finding, type FindingStatus, type SourceRef } from './model.js';
