/**
 * The shapes the parts of `mamori vuln` hand each other: assets (inventory),
 * findings (matching), and where each fact came from. The inventory, the feeds and
 * matching, and the plan are built separately; this file is their contract.
 */

/** What kind of thing an asset is; decides which version grammar and which feeds apply. */
export type AssetType =
  | 'appliance'
  | 'wordpress'
  | 'wordpress-plugin'
  | 'wordpress-theme'
  | 'npm'
  | 'deb'
  | 'rpm';

export const ASSET_TYPES: readonly AssetType[] = ['appliance', 'wordpress', 'wordpress-plugin', 'wordpress-theme', 'npm', 'deb', 'rpm'];

export type Exposure = 'internet' | 'internal';
export type Criticality = 'low' | 'medium' | 'high' | 'critical';

export interface Asset {
  /** Unique within an inventory: `edge-vpn`, `shop/wp-file-manager`. */
  readonly name: string;
  readonly type: AssetType;
  /** As the user writes it: `FortiOS`, `Ivanti Connect Secure`, `NetScaler ADC FIPS`, a plugin slug, an npm name. */
  readonly product: string;
  /** As the device or package prints it: `v7.2.4,build1396,230131 (GA.F)`, `22.7R2.3`, `13.1-49.15`. */
  readonly version: string;
  readonly exposure: Exposure;
  readonly criticality: Criticality;
  readonly owner?: string;
  /** Where the asset came from: `inventory.yaml:12`, `wordpress:/var/www/html`, `dpkg-query`, `package-lock.json`. */
  readonly origin?: string;
  /**
   * deb and rpm: the distribution release the package was built for (`debian:12`,
   * `ubuntu:22.04`, `almalinux:9`, `rocky:9`, `rhel:9`), from /etc/os-release or the inventory.
   * Without it, a package's advisories are `unknown`: fixes differ per release.
   */
  readonly distro?: string;
  /**
   * deb and rpm: the source package the binary package was built from, as dpkg writes its
   * `Source:` field (`openssh`, or `openssl (3.0.11-1)` when the source version differs).
   * Debian's tracker and OSV's distribution records are keyed by source package.
   */
  readonly source?: string;
}

/** Three answers, never two. */
export type FindingStatus = 'affected' | 'not_affected' | 'unknown';

/** One fact's provenance: which feed, which record, and where in it. */
export interface SourceRef {
  /** `kev`, `nvd`, `cve5`, `osv`, `epss`, `jvn`, `debian` (the Debian security tracker), `ipa` (IPA's urgent alerts), `mapping` (mamori's own name-mapping data). */
  readonly feed: string;
  /** The record's id in that feed: a CVE id, a GHSA id, a JVNDB id. */
  readonly id: string;
  /** What in the record: `configurations[0].nodes[0].cpeMatch[3]`, `affected[0].versions[1]`. */
  readonly path?: string;
}

export interface CvssScore {
  /** `3.1`, `3.0`, `4.0`, `2.0`. */
  readonly version: string;
  readonly baseScore: number;
  readonly vector: string;
  /** Who scored it: `nvd@nist.gov`, the CNA's address. */
  readonly by?: string;
}

/** What matching says about one (asset, CVE) pair, with everything the plan needs to rank it. */
export interface Finding {
  readonly asset: string;
  readonly product: string;
  readonly version: string;
  readonly cve: string;
  readonly status: FindingStatus;
  /** In words, never a bare code: `22.7R2.3 is below the fix 22.7R2.5 (NVD cpeMatch versionEndExcluding)`. */
  readonly reason: string;
  readonly sources: readonly SourceRef[];
  /** In CISA's KEV catalog: when added and the due date CISA set. */
  readonly kev?: { readonly dateAdded: string; readonly dueDate: string; readonly ransomware?: boolean };
  /** IPA urgent security alerts (重要なセキュリティ情報) that name the CVE: they raise its priority as KEV does. */
  readonly ipa?: readonly { readonly title: string; readonly link: string; readonly date?: string }[];
  /** EPSS probability (0..1) and percentile, with the day it was scored. */
  readonly epss?: { readonly probability: number; readonly percentile: number; readonly date?: string };
  readonly cvss?: readonly CvssScore[];
  readonly published?: string;
  readonly title?: string;
  /** What each feed's record said, with its path: the facts the status was merged from (matching fills it). */
  readonly evidence?: readonly Evidence[];
}

/** One feed record's statement about one (asset, CVE) pair. */
export interface Evidence {
  readonly status: FindingStatus;
  readonly reason: string;
  readonly source: SourceRef;
}
