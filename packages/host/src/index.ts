/**
 * @mamori/host: mamori on the servers themselves. File integrity baselines
 * (`fim/`), backdoor and webshell scanning (`scan/`), indicators of
 * compromise and the host check (`ioc/`). Each part exports its public names
 * here, and only here.
 */
export {};
