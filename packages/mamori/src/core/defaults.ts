/**
 * Defaults that commands need before (or without) reading a config file, in a module of their own so
 * that such a command does not load the config reader to learn them. config.ts applies them to a
 * config and re-exports them.
 */

/** `mamori scan`: the longest one file may take by default (`scan.file_timeout`). */
export const DEFAULT_SCAN_FILE_TIMEOUT_MS = 10_000;
