/**
 * @mamori/host: mamori on the servers themselves. File integrity baselines
 * (`fim/`), backdoor and webshell scanning (`scan/`), indicators of
 * compromise and the host check (`ioc/`). Each part exports its public names
 * here, and only here.
 */
export { createScanner, fileKind, VERDICTS, type Scanner, type ScannerOptions, type FileResult, type Finding, type Verdict, type FileKind, type FileIndicatorSource } from './scan/scanner.js';
export { toSarif, type SarifOptions } from './scan/sarif.js';
export { type RuleLoadProblem } from './scan/yara.js';
