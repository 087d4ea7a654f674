/**
 * For bench/detect-replay.mjs --parser: the parsers `mamori replay` uses (each input's format
 * recognised line by line, then the country enrichment), so the replay is measured end to end.
 */
import { logParser } from '../packages/cli/dist/commands/replay.js';

export default logParser();
