/**
 * The error catalogue. Every error mamori raises on purpose carries a stable
 * code `MAMORI_ERR_<AREA>_<REASON>`, a message saying what to do, and a cause.
 * `docs/errors.md` lists the same codes; a test keeps the two in step.
 * Retired codes stay here with `retired: true` and are never reused.
 */
export interface ErrorSpec {
  readonly summary: string;
  readonly retired?: boolean;
}

export const ERRORS = {
  MAMORI_ERR_CONFIG_READ: { summary: 'The config file could not be read.' },
  MAMORI_ERR_CONFIG_SYNTAX: { summary: 'The config file is not valid YAML.' },
  MAMORI_ERR_CONFIG_INVALID: { summary: 'The config file breaks the schema (a wrong type, unknown key, or value out of range).' },
  MAMORI_ERR_CONFIG_SECRET: { summary: 'The secret is missing or too short.' },
  MAMORI_ERR_NET_ADDRESS: { summary: 'An IP address or CIDR range could not be parsed.' },
  MAMORI_ERR_STORE_CLOSED: { summary: 'The store was used after it was closed.' },
  MAMORI_ERR_STORE_OPEN: { summary: 'The store could not be opened.' },
  MAMORI_ERR_STORE_UNAVAILABLE: { summary: 'A shared store (Redis) did not answer in time or refused the command.' },
  MAMORI_ERR_STORE_DAMAGED: { summary: 'Something the store keeps is not what mamori writes: damaged or edited by hand.' },
  MAMORI_ERR_DECISION_INVALID: { summary: 'A decision has an unknown action or scope, a bad value, or a bad duration.' },
  MAMORI_ERR_DECISION_NOT_FOUND: { summary: 'No decision has that id.' },
  MAMORI_ERR_GEO_DATABASE: { summary: 'The country database could not be opened or is not an MMDB file.' },
  MAMORI_ERR_REGISTRY_DUPLICATE: { summary: 'Two plugins were registered under one name.' },
  MAMORI_ERR_REGISTRY_FROZEN: { summary: 'A registry was changed after it was compiled.' },
  MAMORI_ERR_REGISTRY_UNKNOWN: { summary: 'A config names a plugin that no registry holds.' },
  MAMORI_ERR_PROXY_UPSTREAM: { summary: 'The upstream URL is missing or not http(s).' },
  MAMORI_ERR_PROXY_LISTEN: { summary: 'The proxy could not listen on its address.' },
  MAMORI_ERR_CLI_USAGE: { summary: 'A command was given unknown or missing arguments.' },
  MAMORI_ERR_SIM_TARGET: { summary: 'The simulator refused a target that is not on loopback.' },
  MAMORI_ERR_CONFIG_DURATION: { summary: 'A duration string could not be parsed.' },
  MAMORI_ERR_SIM_OPTIONS: { summary: 'The simulator got an unknown scenario or an option out of range.' },
  MAMORI_ERR_ADAPTER_CLIENT_IP: { summary: 'A framework adapter could not tell the client address.' },
  MAMORI_ERR_CONFIG_NOT_FOUND: { summary: 'A command that reads what mamori recorded found no config and no data.' },
  MAMORI_ERR_DECISION_AMBIGUOUS: { summary: 'A decision id prefix names more than one decision.' },
  MAMORI_ERR_ADAPTER_BODY_PARSER: { summary: 'The Express middleware runs before the body parsers it reads login fields from.' },
  MAMORI_ERR_ADAPTER_WAF: { summary: 'The config turns the WAF on, but the application\'s requests do not go through it.' },
  MAMORI_ERR_WAF_RULES: { summary: 'A WAF rule set holds something mamori\'s engine cannot run.' },
  MAMORI_ERR_WAF_DATA: { summary: 'Data a WAF operator needs (libinjection\'s SQL keyword map) is missing or malformed.' },
  MAMORI_ERR_WAF_REGEX: { summary: 'A rule\'s regular expression uses what a linear-time matcher cannot run.' },
  MAMORI_ERR_WAF_TEST_FILE: { summary: 'A WAF regression test file (go-ftw YAML) breaks the format.' },
  MAMORI_ERR_WAF_ARCHIVE: { summary: 'A rules archive (.tar.gz) is malformed, too large, or holds an entry mamori will not unpack.' },
  MAMORI_ERR_WAF_FETCH: { summary: 'A rule set (CRS) could not be downloaded, verified or installed.' },
  MAMORI_ERR_MFA_PARAMS: { summary: 'One-time-password parameters are out of range (digits, period, algorithm) or an otpauth URI is malformed.' },
  MAMORI_ERR_MFA_SECRET: { summary: 'A one-time-password secret is not Base32, too short, or missing.' },
  MAMORI_ERR_MFA_USERS: { summary: 'The users file of the MFA gate is not valid.' },
  MAMORI_ERR_MFA_USERS_LOCKED: { summary: 'The users file of the MFA gate is locked by another process for longer than the wait, or its lock file could not be made.' },
  MAMORI_ERR_MFA_KEY: { summary: 'The key that encrypts MFA secrets at rest is missing, malformed, or does not open a stored secret.' },
  MAMORI_ERR_IOC_PARSE: { summary: 'An indicator file (STIX, MISP, CSV or a plain list) could not be read.' },
  MAMORI_ERR_IOC_FETCH: { summary: 'An indicator feed could not be fetched.' },
  MAMORI_ERR_HOST_PROC: { summary: 'The host check could not read the process table (/proc).' },
  MAMORI_ERR_FIM_RULES: { summary: 'A file integrity rule (path, glob or attribute set) is malformed.' },
  MAMORI_ERR_FIM_KEY: { summary: 'The file integrity signing key is missing, too short, or inside a monitored tree.' },
  MAMORI_ERR_FIM_BASELINE: { summary: 'The file integrity baseline is missing or could not be read or written.' },
  MAMORI_ERR_FIM_SIGNATURE: { summary: 'The file integrity baseline does not match its signature: it was changed outside mamori.' },
  MAMORI_ERR_VULN_INVENTORY: { summary: 'An inventory (a YAML file, a lock file, an SBOM, a package list or a WordPress tree) could not be read.' },
  MAMORI_ERR_VULN_FINDINGS: { summary: 'Findings given to mamori vuln plan (JSON lines) could not be read.' },
  MAMORI_ERR_SIGMA_RULES: { summary: 'A Sigma rule folder or file could not be read.' },
  MAMORI_ERR_WATCH_SOURCE: { summary: 'A log source could not be opened or listen on its address, or its options are out of range.' },
  MAMORI_ERR_WATCH_CHECKPOINT: { summary: 'The log watcher\'s checkpoint store could not be opened or written.' },
  MAMORI_ERR_SCAN_ENGINE: { summary: 'The YARA engine mamori scan uses (YARA-X) could not be loaded on this platform.' },
  MAMORI_ERR_ALERT_NOT_FOUND: { summary: 'No recorded alert has that id.' },
  MAMORI_ERR_VULN_FEED: { summary: 'A vulnerability feed (KEV, NVD, CVE 5, OSV, EPSS, JVN) could not be fetched, read or stored.' },
  MAMORI_ERR_DETECT_SCENARIO: { summary: 'A detection scenario file (YAML) or one of its filter expressions is malformed.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class MamoriError extends Error {
  readonly code: ErrorCode;
  /** Where the problem is, when known: `file:line:column`. */
  readonly location: string | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; location?: string } = {}) {
    super(options.location ? `${options.location}: ${message}` : message, { cause: options.cause });
    this.name = 'MamoriError';
    this.code = code;
    this.location = options.location;
  }
}

export function isMamoriError(err: unknown, code?: ErrorCode): err is MamoriError {
  return err instanceof MamoriError && (code === undefined || err.code === code);
}
