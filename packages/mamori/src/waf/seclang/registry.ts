// The names SecLang knows: directives, variables, operators, transformations,
// actions and ctl options. The parser refuses any name not listed here, so a
// rule file that needs something we do not know fails loudly instead of being
// half-loaded. The lists hold everything CRS v4 uses (a test counts CRS's names
// and checks them against these lists) and the other common ModSecurity names.
// Lookups are case-insensitive, as in ModSecurity; the canonical spelling is the
// one written here.

export type DirectiveGroup = 'rules' | 'rule-changes' | 'engine' | 'body' | 'audit' | 'debug' | 'include' | 'other';

export interface DirectiveSpec {
  name: string;
  group: DirectiveGroup;
  minArgs: number;
  /** Infinity for "any number". */
  maxArgs: number;
  /** For switches: the accepted values (compared case-insensitively). */
  values?: readonly string[];
  /** For numeric settings. */
  numeric?: boolean;
  description: string;
}

export interface VariableSpec {
  name: string;
  /** A collection takes selectors (`ARGS:foo`); a scalar does not. */
  collection: boolean;
  /** Collections `setvar` may write. */
  writable?: boolean;
  description: string;
}

export type ArgumentRule = 'required' | 'none' | 'optional';

export interface OperatorSpec {
  name: string;
  argument: ArgumentRule;
  /** The argument names data files, resolved against the rule file's directory. */
  readsFiles?: boolean;
  description: string;
}

export interface TransformationSpec {
  name: string;
  /** Set when this is another spelling of an existing transformation. */
  aliasOf?: string;
  description: string;
}

export type ActionGroup = 'disruptive' | 'flow' | 'metadata' | 'variable' | 'non-disruptive' | 'data';

export interface ActionSpec {
  name: string;
  group: ActionGroup;
  value: ArgumentRule;
  /** ModSecurity refuses these on chain links after the first. */
  starterOnly?: boolean;
  description: string;
}

export interface CtlSpec {
  name: string;
  /** The shape of the value after `=`. */
  value: 'onOff' | 'engine' | 'number' | 'ids' | 'idsTargets' | 'textTargets' | 'text' | 'processor' | 'auditParts';
  description: string;
}

const ENGINE = ['On', 'Off', 'DetectionOnly'] as const;
const ONOFF = ['On', 'Off'] as const;

export const DIRECTIVES: readonly DirectiveSpec[] = [
  // Rules and their changes.
  { name: 'SecRule', group: 'rules', minArgs: 2, maxArgs: 3, description: 'A rule: variables, operator, actions' },
  { name: 'SecAction', group: 'rules', minArgs: 1, maxArgs: 1, description: 'Actions run unconditionally' },
  { name: 'SecMarker', group: 'rules', minArgs: 1, maxArgs: 1, description: 'A target for skipAfter' },
  { name: 'SecDefaultAction', group: 'rules', minArgs: 1, maxArgs: 1, description: 'Default actions for the rules of one phase' },
  { name: 'SecRuleRemoveById', group: 'rule-changes', minArgs: 1, maxArgs: Infinity, description: 'Remove rules by id or id range' },
  { name: 'SecRuleRemoveByTag', group: 'rule-changes', minArgs: 1, maxArgs: 1, description: 'Remove rules whose tag matches a regex' },
  { name: 'SecRuleRemoveByMsg', group: 'rule-changes', minArgs: 1, maxArgs: 1, description: 'Remove rules whose msg matches a regex' },
  { name: 'SecRuleUpdateTargetById', group: 'rule-changes', minArgs: 2, maxArgs: 3, description: 'Add or exclude targets of rules by id' },
  { name: 'SecRuleUpdateTargetByTag', group: 'rule-changes', minArgs: 2, maxArgs: 3, description: 'Add or exclude targets of rules by tag' },
  { name: 'SecRuleUpdateTargetByMsg', group: 'rule-changes', minArgs: 2, maxArgs: 3, description: 'Add or exclude targets of rules by msg' },
  { name: 'SecRuleUpdateActionById', group: 'rule-changes', minArgs: 2, maxArgs: 2, description: 'Replace actions of a rule by id' },
  { name: 'SecComponentSignature', group: 'other', minArgs: 1, maxArgs: 1, description: 'Names a rule set in the audit log' },
  // Engine.
  { name: 'SecRuleEngine', group: 'engine', minArgs: 1, maxArgs: 1, values: ENGINE, description: 'Rule processing on, off or detection only' },
  { name: 'SecCollectionTimeout', group: 'engine', minArgs: 1, maxArgs: 1, numeric: true, description: 'Seconds persistent collections live' },
  { name: 'SecArgumentSeparator', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Separator of urlencoded arguments' },
  { name: 'SecArgumentsLimit', group: 'engine', minArgs: 1, maxArgs: 1, numeric: true, description: 'Most arguments read per request, query and body together; past it REQBODY_ERROR (default 1000)' },
  { name: 'SecCookieFormat', group: 'engine', minArgs: 1, maxArgs: 1, values: ['0', '1'], description: 'Cookie version to parse' },
  { name: 'SecCookieV0Separator', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Separator of version 0 cookies' },
  { name: 'SecPcreMatchLimit', group: 'engine', minArgs: 1, maxArgs: 1, numeric: true, description: 'PCRE match limit (read, no effect: the regex engine is linear-time)' },
  { name: 'SecPcreMatchLimitRecursion', group: 'engine', minArgs: 1, maxArgs: 1, numeric: true, description: 'PCRE recursion limit (read, no effect: the regex engine is linear-time)' },
  { name: 'SecUnicodeMapFile', group: 'engine', minArgs: 1, maxArgs: 2, description: 'Unicode map for urlDecodeUni' },
  { name: 'SecUnicodeCodePage', group: 'engine', minArgs: 1, maxArgs: 1, numeric: true, description: 'Code page for urlDecodeUni' },
  { name: 'SecDataDir', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Directory of persistent data' },
  { name: 'SecTmpDir', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Directory of temporary files' },
  { name: 'SecTmpSaveUploadedFiles', group: 'engine', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'Keep uploaded files' },
  { name: 'SecUploadDir', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Directory for kept uploads' },
  { name: 'SecUploadFileLimit', group: 'engine', minArgs: 1, maxArgs: 1, numeric: true, description: 'Most files per multipart request; past it MULTIPART_FILE_LIMIT_EXCEEDED (default 100)' },
  { name: 'SecUploadFileMode', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Mode of kept uploads' },
  { name: 'SecUploadKeepFiles', group: 'engine', minArgs: 1, maxArgs: 1, values: ['On', 'Off', 'RelevantOnly'], description: 'Keep uploaded files' },
  { name: 'SecWebAppId', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Application name for persistent collections' },
  { name: 'SecSensorId', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Sensor name in audit logs' },
  { name: 'SecServerSignature', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Server header to present' },
  { name: 'SecStatusEngine', group: 'engine', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'Status reporting' },
  { name: 'SecHttpBlKey', group: 'engine', minArgs: 1, maxArgs: 1, description: 'Key for @rbl with Project Honey Pot' },
  { name: 'SecGeoLookupDb', group: 'engine', minArgs: 1, maxArgs: 2, description: 'Database for @geoLookup' },
  { name: 'SecConnEngine', group: 'engine', minArgs: 1, maxArgs: 1, values: ENGINE, description: 'Connection rules' },
  { name: 'SecInterceptOnError', group: 'engine', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'Block when rule processing fails' },
  { name: 'SecRuleInheritance', group: 'engine', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'Inherit rules into child contexts' },
  { name: 'SecRulePerfTime', group: 'engine', minArgs: 1, maxArgs: 1, numeric: true, description: 'Log rules slower than this' },
  { name: 'SecHashEngine', group: 'engine', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'Hash engine' },
  { name: 'SecXmlExternalEntity', group: 'engine', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'Load XML external entities' },
  { name: 'SecRemoteRules', group: 'engine', minArgs: 2, maxArgs: 3, description: 'Rules fetched from a URL (recorded, never fetched)' },
  { name: 'SecRemoteRulesFailAction', group: 'engine', minArgs: 1, maxArgs: 1, values: ['Abort', 'Warn'], description: 'What to do when remote rules fail' },
  // Request and response bodies.
  { name: 'SecRequestBodyAccess', group: 'body', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'Buffer and inspect request bodies' },
  { name: 'SecRequestBodyLimit', group: 'body', minArgs: 1, maxArgs: 1, numeric: true, description: 'Largest request body, bytes (default 13107200)' },
  { name: 'SecRequestBodyNoFilesLimit', group: 'body', minArgs: 1, maxArgs: 1, numeric: true, description: 'Largest request body less uploaded files, bytes (default 131072)' },
  { name: 'SecRequestBodyInMemoryLimit', group: 'body', minArgs: 1, maxArgs: 1, numeric: true, description: 'Request body kept in memory, bytes (read, no effect: bodies are held in memory, within SecRequestBodyLimit)' },
  { name: 'SecRequestBodyLimitAction', group: 'body', minArgs: 1, maxArgs: 1, values: ['Reject', 'ProcessPartial'], description: 'Over the limit: Reject (413, engine On) or ProcessPartial (the first bytes read); default Reject' },
  { name: 'SecRequestBodyJsonDepthLimit', group: 'body', minArgs: 1, maxArgs: 1, numeric: true, description: 'Deepest JSON nesting; deeper is REQBODY_ERROR (default 512)' },
  { name: 'SecResponseBodyAccess', group: 'body', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'Buffer and inspect response bodies' },
  { name: 'SecResponseBodyMimeType', group: 'body', minArgs: 1, maxArgs: Infinity, description: 'Response types to inspect' },
  { name: 'SecResponseBodyMimeTypesClear', group: 'body', minArgs: 0, maxArgs: 0, description: 'Forget the response types' },
  { name: 'SecResponseBodyLimit', group: 'body', minArgs: 1, maxArgs: 1, numeric: true, description: 'Largest response body phase 4 reads, bytes (default 524288)' },
  { name: 'SecResponseBodyLimitAction', group: 'body', minArgs: 1, maxArgs: 1, values: ['Reject', 'ProcessPartial'], description: 'Over the limit: Reject (500, engine On) or ProcessPartial (the first bytes read); default Reject' },
  { name: 'SecStreamInBodyInspection', group: 'body', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'STREAM_INPUT_BODY' },
  { name: 'SecStreamOutBodyInspection', group: 'body', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'STREAM_OUTPUT_BODY' },
  { name: 'SecContentInjection', group: 'body', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'append/prepend actions' },
  { name: 'SecDisableBackendCompression', group: 'body', minArgs: 1, maxArgs: 1, values: ONOFF, description: 'Ask the backend for uncompressed responses' },
  // Audit log: accepted and recorded.
  { name: 'SecAuditEngine', group: 'audit', minArgs: 1, maxArgs: 1, values: ['On', 'Off', 'RelevantOnly'], description: 'Audit logging' },
  { name: 'SecAuditLog', group: 'audit', minArgs: 1, maxArgs: 1, description: 'Audit log path' },
  { name: 'SecAuditLog2', group: 'audit', minArgs: 1, maxArgs: 1, description: 'Second audit log path' },
  { name: 'SecAuditLogParts', group: 'audit', minArgs: 1, maxArgs: 1, description: 'Audit log sections' },
  { name: 'SecAuditLogRelevantStatus', group: 'audit', minArgs: 1, maxArgs: 1, description: 'Status codes that are relevant' },
  { name: 'SecAuditLogType', group: 'audit', minArgs: 1, maxArgs: 1, values: ['Serial', 'Concurrent', 'HTTPS'], description: 'Audit log layout' },
  { name: 'SecAuditLogFormat', group: 'audit', minArgs: 1, maxArgs: 1, values: ['JSON', 'Native'], description: 'Audit log format' },
  { name: 'SecAuditLogStorageDir', group: 'audit', minArgs: 1, maxArgs: 1, description: 'Concurrent audit log directory' },
  { name: 'SecAuditLogDirMode', group: 'audit', minArgs: 1, maxArgs: 1, description: 'Mode of audit log directories' },
  { name: 'SecAuditLogFileMode', group: 'audit', minArgs: 1, maxArgs: 1, description: 'Mode of audit log files' },
  // Debug log: accepted and recorded.
  { name: 'SecDebugLog', group: 'debug', minArgs: 1, maxArgs: 1, description: 'Debug log path' },
  { name: 'SecDebugLogLevel', group: 'debug', minArgs: 1, maxArgs: 1, values: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], description: 'Debug log verbosity' },
  // Includes.
  { name: 'Include', group: 'include', minArgs: 1, maxArgs: 1, description: 'Read other files (globs allowed)' },
  { name: 'IncludeOptional', group: 'include', minArgs: 1, maxArgs: 1, description: 'Include; a glob matching nothing is no error' },
];

export const VARIABLES: readonly VariableSpec[] = [
  { name: 'ARGS', collection: true, description: 'Query and body arguments' },
  { name: 'ARGS_COMBINED_SIZE', collection: false, description: 'Total size of argument names and values' },
  { name: 'ARGS_GET', collection: true, description: 'Query string arguments' },
  { name: 'ARGS_GET_NAMES', collection: true, description: 'Query string argument names' },
  { name: 'ARGS_NAMES', collection: true, description: 'Argument names' },
  { name: 'ARGS_POST', collection: true, description: 'Body arguments' },
  { name: 'ARGS_POST_NAMES', collection: true, description: 'Body argument names' },
  { name: 'AUTH_TYPE', collection: false, description: 'Authentication type' },
  { name: 'DURATION', collection: false, description: 'Microseconds since the transaction began' },
  { name: 'ENV', collection: true, description: 'Environment variables set by setenv' },
  { name: 'FILES', collection: true, description: 'Uploaded file names (from the filename parameter)' },
  { name: 'FILES_COMBINED_SIZE', collection: false, description: 'Total size of uploaded files' },
  { name: 'FILES_NAMES', collection: true, description: 'Form field names of uploaded files' },
  { name: 'FILES_SIZES', collection: true, description: 'Sizes of uploaded files' },
  { name: 'FILES_TMPNAMES', collection: true, description: 'Temporary names of uploaded files' },
  { name: 'FILES_TMP_CONTENT', collection: true, description: 'Content of uploaded files' },
  { name: 'FULL_REQUEST', collection: false, description: 'The whole request' },
  { name: 'FULL_REQUEST_LENGTH', collection: false, description: 'Size of the whole request' },
  { name: 'GEO', collection: true, description: 'Fields from @geoLookup' },
  { name: 'GLOBAL', collection: true, writable: true, description: 'Persistent global collection' },
  { name: 'HIGHEST_SEVERITY', collection: false, description: 'Highest severity of matched rules' },
  { name: 'INBOUND_DATA_ERROR', collection: false, description: 'Request body exceeded its limit' },
  { name: 'IP', collection: true, writable: true, description: 'Persistent per-address collection' },
  { name: 'MATCHED_VAR', collection: false, description: 'Value of the last match' },
  { name: 'MATCHED_VARS', collection: true, description: 'Values matched by the previous rule' },
  { name: 'MATCHED_VAR_NAME', collection: false, description: 'Name of the last match' },
  { name: 'MATCHED_VARS_NAMES', collection: true, description: 'Names matched by the previous rule' },
  { name: 'MODSEC_BUILD', collection: false, description: 'Engine build number' },
  { name: 'MSC_PCRE_LIMITS_EXCEEDED', collection: false, description: 'A regex hit its match limit' },
  { name: 'MULTIPART_BOUNDARY_QUOTED', collection: false, description: 'Multipart boundary was quoted' },
  { name: 'MULTIPART_BOUNDARY_WHITESPACE', collection: false, description: 'Multipart boundary had whitespace' },
  { name: 'MULTIPART_CRLF_LF_LINES', collection: false, description: 'Mixed CRLF and LF line endings' },
  { name: 'MULTIPART_DATA_AFTER', collection: false, description: 'Data after the last boundary' },
  { name: 'MULTIPART_DATA_BEFORE', collection: false, description: 'Data before the first boundary' },
  { name: 'MULTIPART_FILE_LIMIT_EXCEEDED', collection: false, description: 'Too many files' },
  { name: 'MULTIPART_FILENAME', collection: false, description: 'Last multipart filename' },
  { name: 'MULTIPART_HEADER_FOLDING', collection: false, description: 'Folded part headers' },
  { name: 'MULTIPART_INVALID_HEADER_FOLDING', collection: false, description: 'Invalid folded part headers' },
  { name: 'MULTIPART_INVALID_PART', collection: false, description: 'Invalid part' },
  { name: 'MULTIPART_INVALID_QUOTING', collection: false, description: 'Invalid quoting in part headers' },
  { name: 'MULTIPART_LF_LINE', collection: false, description: 'LF-only line endings' },
  { name: 'MULTIPART_MISSING_SEMICOLON', collection: false, description: 'Missing semicolon in part headers' },
  { name: 'MULTIPART_NAME', collection: false, description: 'Last multipart field name' },
  { name: 'MULTIPART_PART_HEADERS', collection: true, description: 'Headers of every multipart part' },
  { name: 'MULTIPART_STRICT_ERROR', collection: false, description: 'Any multipart strictness flag' },
  { name: 'MULTIPART_UNMATCHED_BOUNDARY', collection: false, description: 'Boundary-like line that is no boundary' },
  { name: 'OUTBOUND_DATA_ERROR', collection: false, description: 'Response body exceeded its limit' },
  { name: 'PATH_INFO', collection: false, description: 'Path after the script name' },
  { name: 'PERF_ALL', collection: false, description: 'Timing: all' },
  { name: 'PERF_COMBINED', collection: false, description: 'Timing: combined' },
  { name: 'PERF_GC', collection: false, description: 'Timing: garbage collection' },
  { name: 'PERF_LOGGING', collection: false, description: 'Timing: logging' },
  { name: 'PERF_PHASE1', collection: false, description: 'Timing: phase 1' },
  { name: 'PERF_PHASE2', collection: false, description: 'Timing: phase 2' },
  { name: 'PERF_PHASE3', collection: false, description: 'Timing: phase 3' },
  { name: 'PERF_PHASE4', collection: false, description: 'Timing: phase 4' },
  { name: 'PERF_PHASE5', collection: false, description: 'Timing: phase 5' },
  { name: 'PERF_RULES', collection: true, description: 'Timing: per rule' },
  { name: 'PERF_SREAD', collection: false, description: 'Timing: storage reads' },
  { name: 'PERF_SWRITE', collection: false, description: 'Timing: storage writes' },
  { name: 'QUERY_STRING', collection: false, description: 'Query string, undecoded' },
  { name: 'REMOTE_ADDR', collection: false, description: 'Client address' },
  { name: 'REMOTE_HOST', collection: false, description: 'Client host name' },
  { name: 'REMOTE_PORT', collection: false, description: 'Client port' },
  { name: 'REMOTE_USER', collection: false, description: 'Authenticated user' },
  { name: 'REQBODY_ERROR', collection: false, description: 'Request body processor failed' },
  { name: 'REQBODY_ERROR_MSG', collection: false, description: 'Why the request body processor failed' },
  { name: 'REQBODY_PROCESSOR', collection: false, description: 'Request body processor in use' },
  { name: 'REQBODY_PROCESSOR_ERROR', collection: false, description: 'Same as REQBODY_ERROR' },
  { name: 'REQBODY_PROCESSOR_ERROR_MSG', collection: false, description: 'Same as REQBODY_ERROR_MSG' },
  { name: 'REQUEST_BASENAME', collection: false, description: 'File name part of the path' },
  { name: 'REQUEST_BODY', collection: false, description: 'Raw request body' },
  { name: 'REQUEST_BODY_LENGTH', collection: false, description: 'Size of the request body' },
  { name: 'REQUEST_COOKIES', collection: true, description: 'Cookie values' },
  { name: 'REQUEST_COOKIES_NAMES', collection: true, description: 'Cookie names' },
  { name: 'REQUEST_FILENAME', collection: false, description: 'Path without the query string' },
  { name: 'REQUEST_HEADERS', collection: true, description: 'Request header values' },
  { name: 'REQUEST_HEADERS_NAMES', collection: true, description: 'Request header names' },
  { name: 'REQUEST_LINE', collection: false, description: 'Request line' },
  { name: 'REQUEST_METHOD', collection: false, description: 'Request method' },
  { name: 'REQUEST_PROTOCOL', collection: false, description: 'Request protocol' },
  { name: 'REQUEST_URI', collection: false, description: 'Path and query string, URL-decoded' },
  { name: 'REQUEST_URI_RAW', collection: false, description: 'Request target as sent' },
  { name: 'RESOURCE', collection: true, writable: true, description: 'Persistent per-resource collection' },
  { name: 'RESPONSE_BODY', collection: false, description: 'Response body' },
  { name: 'RESPONSE_CONTENT_LENGTH', collection: false, description: 'Response body size' },
  { name: 'RESPONSE_CONTENT_TYPE', collection: false, description: 'Response content type' },
  { name: 'RESPONSE_HEADERS', collection: true, description: 'Response header values' },
  { name: 'RESPONSE_HEADERS_NAMES', collection: true, description: 'Response header names' },
  { name: 'RESPONSE_PROTOCOL', collection: false, description: 'Response protocol' },
  { name: 'RESPONSE_STATUS', collection: false, description: 'Response status code' },
  { name: 'RULE', collection: true, description: 'Fields of the current rule (id, msg, ...)' },
  { name: 'SCRIPT_BASENAME', collection: false, description: 'Script file name' },
  { name: 'SCRIPT_FILENAME', collection: false, description: 'Script path' },
  { name: 'SCRIPT_GID', collection: false, description: 'Script group id' },
  { name: 'SCRIPT_GROUPNAME', collection: false, description: 'Script group' },
  { name: 'SCRIPT_MODE', collection: false, description: 'Script mode' },
  { name: 'SCRIPT_UID', collection: false, description: 'Script user id' },
  { name: 'SCRIPT_USERNAME', collection: false, description: 'Script user' },
  { name: 'SDBM_DELETE_ERROR', collection: false, description: 'Persistent storage delete failed' },
  { name: 'SERVER_ADDR', collection: false, description: 'Server address' },
  { name: 'SERVER_NAME', collection: false, description: 'Server name (Host)' },
  { name: 'SERVER_PORT', collection: false, description: 'Server port' },
  { name: 'SESSION', collection: true, writable: true, description: 'Persistent per-session collection' },
  { name: 'SESSIONID', collection: false, description: 'Session id set by setsid' },
  { name: 'STATUS_LINE', collection: false, description: 'Response status line' },
  { name: 'STREAM_INPUT_BODY', collection: false, description: 'Request body as a stream' },
  { name: 'STREAM_OUTPUT_BODY', collection: false, description: 'Response body as a stream' },
  { name: 'TIME', collection: false, description: 'Time hh:mm:ss' },
  { name: 'TIME_DAY', collection: false, description: 'Day of month' },
  { name: 'TIME_EPOCH', collection: false, description: 'Seconds since 1970' },
  { name: 'TIME_HOUR', collection: false, description: 'Hour' },
  { name: 'TIME_MIN', collection: false, description: 'Minute' },
  { name: 'TIME_MON', collection: false, description: 'Month' },
  { name: 'TIME_SEC', collection: false, description: 'Second' },
  { name: 'TIME_WDAY', collection: false, description: 'Weekday' },
  { name: 'TIME_YEAR', collection: false, description: 'Year' },
  { name: 'TX', collection: true, writable: true, description: 'Transaction collection' },
  { name: 'UNIQUE_ID', collection: false, description: 'Transaction id' },
  { name: 'URLENCODED_ERROR', collection: false, description: 'Invalid URL encoding seen' },
  { name: 'USER', collection: true, writable: true, description: 'Persistent per-user collection' },
  { name: 'USERAGENT_IP', collection: false, description: 'Client address as a proxy reports it' },
  { name: 'USERID', collection: false, description: 'User id set by setuid' },
  { name: 'WEBAPPID', collection: false, description: 'Application name' },
  { name: 'WEBSERVER_ERROR_LOG', collection: true, description: 'Web server error log lines' },
  { name: 'XML', collection: true, description: 'XML body, selected by XPath' },
];

export const OPERATORS: readonly OperatorSpec[] = [
  { name: 'beginsWith', argument: 'required', description: 'Starts with the argument' },
  { name: 'contains', argument: 'required', description: 'Contains the argument' },
  { name: 'containsWord', argument: 'required', description: 'Contains the argument as a word' },
  { name: 'detectSQLi', argument: 'none', description: 'SQL injection fingerprint' },
  { name: 'detectXSS', argument: 'none', description: 'XSS detection' },
  { name: 'endsWith', argument: 'required', description: 'Ends with the argument' },
  { name: 'eq', argument: 'required', description: 'Integer equal' },
  { name: 'fuzzyHash', argument: 'required', description: 'ssdeep similarity' },
  { name: 'ge', argument: 'required', description: 'Integer greater or equal' },
  { name: 'geoLookup', argument: 'none', description: 'Fills GEO from an address' },
  { name: 'gsbLookup', argument: 'optional', description: 'Google Safe Browsing lookup' },
  { name: 'gt', argument: 'required', description: 'Integer greater' },
  { name: 'inspectFile', argument: 'required', description: 'Runs a script on uploads' },
  { name: 'ipMatch', argument: 'required', description: 'Address in a list of addresses or networks' },
  { name: 'ipMatchF', argument: 'required', readsFiles: true, description: 'Alias of ipMatchFromFile' },
  { name: 'ipMatchFromFile', argument: 'required', readsFiles: true, description: 'Address in networks listed in a file' },
  { name: 'le', argument: 'required', description: 'Integer less or equal' },
  { name: 'lt', argument: 'required', description: 'Integer less' },
  { name: 'noMatch', argument: 'none', description: 'Never matches' },
  { name: 'pm', argument: 'required', description: 'Any of the listed phrases (case-insensitive)' },
  { name: 'pmf', argument: 'required', readsFiles: true, description: 'Alias of pmFromFile' },
  { name: 'pmFromFile', argument: 'required', readsFiles: true, description: 'Any phrase from files (case-insensitive)' },
  { name: 'rbl', argument: 'required', description: 'DNS block list lookup' },
  { name: 'rsub', argument: 'required', description: 'Substitution on stream bodies' },
  { name: 'rx', argument: 'optional', description: 'Regular expression' },
  { name: 'rxGlobal', argument: 'optional', description: 'Regular expression, every match captured' },
  { name: 'streq', argument: 'optional', description: 'String equal' },
  { name: 'strmatch', argument: 'required', description: 'Contains the argument (Boyer-Moore)' },
  { name: 'unconditionalMatch', argument: 'none', description: 'Always matches' },
  { name: 'validateByteRange', argument: 'required', description: 'Every byte within the listed ranges' },
  { name: 'validateDTD', argument: 'required', description: 'XML body valid against a DTD' },
  { name: 'validateHash', argument: 'required', description: 'HMAC token check' },
  { name: 'validateSchema', argument: 'required', description: 'XML body valid against a schema' },
  { name: 'validateUrlEncoding', argument: 'none', description: 'URL encoding is valid' },
  { name: 'validateUtf8Encoding', argument: 'none', description: 'UTF-8 encoding is valid' },
  { name: 'verifyCC', argument: 'required', description: 'Credit card number (Luhn)' },
  { name: 'verifyCPF', argument: 'required', description: 'Brazilian CPF number' },
  { name: 'verifySSN', argument: 'required', description: 'US social security number' },
  { name: 'verifySVNR', argument: 'required', description: 'Austrian social insurance number' },
  { name: 'within', argument: 'optional', description: 'Value is contained in the argument' },
];

export const TRANSFORMATIONS: readonly TransformationSpec[] = [
  { name: 'base64Decode', description: 'Base64 decode' },
  { name: 'base64DecodeExt', description: 'Base64 decode, skipping invalid characters' },
  { name: 'base64Encode', description: 'Base64 encode' },
  { name: 'cmdLine', description: 'Command line normalisation' },
  { name: 'compressWhitespace', description: 'Runs of whitespace to one space' },
  { name: 'cssDecode', description: 'CSS 2 escapes' },
  { name: 'escapeSeqDecode', description: 'ANSI C escapes' },
  { name: 'hexDecode', description: 'Hex pairs to bytes' },
  { name: 'hexEncode', description: 'Bytes to hex pairs' },
  { name: 'htmlEntityDecode', description: 'HTML entities' },
  { name: 'jsDecode', description: 'JavaScript escapes' },
  { name: 'length', description: 'Length in bytes' },
  { name: 'lowercase', description: 'ASCII lower case' },
  { name: 'md5', description: 'MD5 hash (raw bytes)' },
  { name: 'none', description: 'Clears the transformations so far' },
  { name: 'normalisePath', aliasOf: 'normalizePath', description: 'Alias of normalizePath' },
  { name: 'normalisePathWin', aliasOf: 'normalizePathWin', description: 'Alias of normalizePathWin' },
  { name: 'normalizePath', description: 'Removes ./ and resolves ../' },
  { name: 'normalizePathWin', description: 'normalizePath with \\ as /' },
  { name: 'parityEven7bit', description: 'Even parity' },
  { name: 'parityOdd7bit', description: 'Odd parity' },
  { name: 'parityZero7bit', description: 'Zero parity bit' },
  { name: 'removeComments', description: 'Removes C, SQL and HTML comments' },
  { name: 'removeCommentsChar', description: 'Removes comment characters' },
  { name: 'removeNulls', description: 'Removes NUL bytes' },
  { name: 'removeWhitespace', description: 'Removes whitespace' },
  { name: 'replaceComments', description: 'C comments to a space' },
  { name: 'replaceNulls', description: 'NUL bytes to spaces' },
  { name: 'sha1', description: 'SHA-1 hash (raw bytes)' },
  { name: 'sqlHexDecode', description: 'SQL 0x hex literals' },
  { name: 'trim', description: 'Trim whitespace' },
  { name: 'trimLeft', description: 'Trim leading whitespace' },
  { name: 'trimRight', description: 'Trim trailing whitespace' },
  { name: 'uppercase', description: 'ASCII upper case' },
  { name: 'urlDecode', description: 'URL decode' },
  { name: 'urlDecodeUni', description: 'URL decode with %uHHHH' },
  { name: 'urlEncode', description: 'URL encode' },
  { name: 'utf8toUnicode', description: 'UTF-8 to %uHHHH' },
];

export const ACTIONS: readonly ActionSpec[] = [
  { name: 'accuracy', group: 'metadata', value: 'required', starterOnly: true, description: 'Accuracy 1-9' },
  { name: 'allow', group: 'disruptive', value: 'optional', starterOnly: true, description: 'Stop inspection (phase, request or all)' },
  { name: 'append', group: 'non-disruptive', value: 'required', description: 'Append content to the response' },
  { name: 'auditlog', group: 'non-disruptive', value: 'none', description: 'Record in the audit log' },
  { name: 'block', group: 'disruptive', value: 'none', starterOnly: true, description: 'The default disruptive action' },
  { name: 'capture', group: 'non-disruptive', value: 'none', description: 'Keep regex groups in TX:0-9' },
  { name: 'chain', group: 'flow', value: 'none', description: 'The next rule is a condition of this one' },
  { name: 'ctl', group: 'non-disruptive', value: 'required', description: 'Change configuration for this transaction' },
  { name: 'deny', group: 'disruptive', value: 'none', starterOnly: true, description: 'Stop and refuse' },
  { name: 'deprecatevar', group: 'non-disruptive', value: 'required', description: 'Decrease a variable over time' },
  { name: 'drop', group: 'disruptive', value: 'none', starterOnly: true, description: 'Close the connection' },
  { name: 'exec', group: 'non-disruptive', value: 'required', description: 'Run a script' },
  { name: 'expirevar', group: 'non-disruptive', value: 'required', description: 'Expire a variable after seconds' },
  { name: 'id', group: 'metadata', value: 'required', starterOnly: true, description: 'Rule id' },
  { name: 'initcol', group: 'non-disruptive', value: 'required', description: 'Open a persistent collection' },
  { name: 'log', group: 'non-disruptive', value: 'none', description: 'Log the match' },
  { name: 'logdata', group: 'non-disruptive', value: 'required', starterOnly: true, description: 'Data to log, with macros' },
  { name: 'maturity', group: 'metadata', value: 'required', starterOnly: true, description: 'Maturity 1-9' },
  { name: 'msg', group: 'metadata', value: 'required', starterOnly: true, description: 'Message, with macros' },
  { name: 'multiMatch', group: 'non-disruptive', value: 'none', description: 'Match after every transformation' },
  { name: 'noauditlog', group: 'non-disruptive', value: 'none', description: 'Do not record in the audit log' },
  { name: 'nolog', group: 'non-disruptive', value: 'none', description: 'Do not log' },
  { name: 'pass', group: 'disruptive', value: 'none', starterOnly: true, description: 'Continue with the next rule' },
  { name: 'pause', group: 'disruptive', value: 'required', starterOnly: true, description: 'Wait before responding' },
  { name: 'phase', group: 'metadata', value: 'required', starterOnly: true, description: 'Phase 1-5, request, response, logging' },
  { name: 'prepend', group: 'non-disruptive', value: 'required', description: 'Prepend content to the response' },
  { name: 'proxy', group: 'disruptive', value: 'required', starterOnly: true, description: 'Forward the request elsewhere' },
  { name: 'redirect', group: 'disruptive', value: 'required', starterOnly: true, description: 'Redirect the client' },
  { name: 'rev', group: 'metadata', value: 'required', starterOnly: true, description: 'Rule revision' },
  { name: 'sanitiseArg', group: 'non-disruptive', value: 'required', description: 'Mask an argument in logs' },
  { name: 'sanitiseMatched', group: 'non-disruptive', value: 'none', description: 'Mask the matched variable in logs' },
  { name: 'sanitiseMatchedBytes', group: 'non-disruptive', value: 'optional', description: 'Mask the matched bytes in logs' },
  { name: 'sanitiseRequestHeader', group: 'non-disruptive', value: 'required', description: 'Mask a request header in logs' },
  { name: 'sanitiseResponseHeader', group: 'non-disruptive', value: 'required', description: 'Mask a response header in logs' },
  { name: 'setenv', group: 'non-disruptive', value: 'required', description: 'Set an environment variable' },
  { name: 'setrsc', group: 'non-disruptive', value: 'required', description: 'Set the resource id' },
  { name: 'setsid', group: 'non-disruptive', value: 'required', description: 'Set the session id' },
  { name: 'setuid', group: 'non-disruptive', value: 'required', description: 'Set the user id' },
  { name: 'setvar', group: 'variable', value: 'required', description: 'Set, add to or delete a variable' },
  { name: 'severity', group: 'metadata', value: 'required', starterOnly: true, description: 'Severity 0-7 or its name' },
  { name: 'skip', group: 'flow', value: 'required', starterOnly: true, description: 'Skip the next N rules' },
  { name: 'skipAfter', group: 'flow', value: 'required', starterOnly: true, description: 'Skip to after a marker or rule id' },
  { name: 'status', group: 'data', value: 'required', description: 'Status for deny' },
  { name: 't', group: 'non-disruptive', value: 'required', description: 'Transformation' },
  { name: 'tag', group: 'metadata', value: 'required', starterOnly: true, description: 'Tag' },
  { name: 'ver', group: 'metadata', value: 'required', starterOnly: true, description: 'Rule set version' },
  { name: 'xmlns', group: 'data', value: 'required', description: 'XML namespace for XPath' },
];

export const CTL_OPTIONS: readonly CtlSpec[] = [
  { name: 'auditEngine', value: 'text', description: 'SecAuditEngine for this transaction' },
  { name: 'auditLogParts', value: 'auditParts', description: 'Audit log sections (+X adds, -X removes)' },
  { name: 'debugLogLevel', value: 'number', description: 'Debug log level' },
  { name: 'forceRequestBodyVariable', value: 'onOff', description: 'Fill REQUEST_BODY whatever the processor' },
  { name: 'hashEnforcement', value: 'onOff', description: 'Hash enforcement' },
  { name: 'hashEngine', value: 'onOff', description: 'Hash engine' },
  { name: 'parseXmlIntoArgs', value: 'text', description: 'XML body into ARGS' },
  { name: 'requestBodyAccess', value: 'onOff', description: 'SecRequestBodyAccess' },
  { name: 'requestBodyLimit', value: 'number', description: 'SecRequestBodyLimit' },
  { name: 'requestBodyProcessor', value: 'processor', description: 'Body processor: URLENCODED, MULTIPART, XML, JSON' },
  { name: 'responseBodyAccess', value: 'onOff', description: 'SecResponseBodyAccess' },
  { name: 'responseBodyLimit', value: 'number', description: 'SecResponseBodyLimit' },
  { name: 'ruleEngine', value: 'engine', description: 'SecRuleEngine for this transaction' },
  { name: 'ruleRemoveById', value: 'ids', description: 'Remove rules by id or range' },
  { name: 'ruleRemoveByMsg', value: 'text', description: 'Remove rules by msg' },
  { name: 'ruleRemoveByTag', value: 'text', description: 'Remove rules by tag' },
  { name: 'ruleRemoveTargetById', value: 'idsTargets', description: 'Remove targets from rules by id: id;TARGET' },
  { name: 'ruleRemoveTargetByMsg', value: 'textTargets', description: 'Remove targets from rules by msg: msg;TARGET' },
  { name: 'ruleRemoveTargetByTag', value: 'textTargets', description: 'Remove targets from rules by tag: tag;TARGET' },
];

/** Severity names in ModSecurity's order: index = number. */
export const SEVERITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'] as const;

export const REQUEST_BODY_PROCESSORS = ['URLENCODED', 'MULTIPART', 'XML', 'JSON'] as const;

function index<T extends { name: string }>(list: readonly T[]): ReadonlyMap<string, T> {
  const m = new Map<string, T>();
  for (const x of list) {
    const k = x.name.toLowerCase();
    if (m.has(k)) throw new Error(`registry lists ${x.name} twice`);
    m.set(k, x);
  }
  return m;
}

const directiveIndex = index(DIRECTIVES);
const variableIndex = index(VARIABLES);
const operatorIndex = index(OPERATORS);
const transformationIndex = index(TRANSFORMATIONS);
const actionIndex = index(ACTIONS);
const ctlIndex = index(CTL_OPTIONS);

export const lookupDirective = (name: string): DirectiveSpec | undefined => directiveIndex.get(name.toLowerCase());
export const lookupVariable = (name: string): VariableSpec | undefined => variableIndex.get(name.toLowerCase());
export const lookupOperator = (name: string): OperatorSpec | undefined => operatorIndex.get(name.toLowerCase());
export const lookupTransformation = (name: string): TransformationSpec | undefined => transformationIndex.get(name.toLowerCase());
export const lookupAction = (name: string): ActionSpec | undefined => actionIndex.get(name.toLowerCase());
export const lookupCtl = (name: string): CtlSpec | undefined => ctlIndex.get(name.toLowerCase());
