import { PHP_RULES } from './php.js';
import { WEB_RULES } from './web.js';

/** mamori's own rule files, by name: YARA source, compiled together. */
export const BUILTIN_RULES: ReadonlyArray<{ readonly name: string; readonly source: string }> = [
  { name: 'mamori/php.yar', source: PHP_RULES },
  { name: 'mamori/web.yar', source: WEB_RULES },
];

/** The external variables mamori's rules read; the scanner sets them per file. */
export const RULE_EXTERNALS = ['filename', 'filepath', 'extension', 'filetype'] as const;
