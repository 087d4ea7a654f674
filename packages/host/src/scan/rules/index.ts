import { PHP_RULES } from './php.js';
import { WEB_RULES } from './web.js';

/** mamori's own rule files, by name: YARA source, compiled together. */
export const BUILTIN_RULES: ReadonlyArray<{ readonly name: string; readonly source: string }> = [
  { name: 'mamori/php.yar', source: PHP_RULES },
  { name: 'mamori/web.yar', source: WEB_RULES },
];

/**
 * Rules read in two passes: the strings named here are the rule's sites, and its condition holds only
 * where one of them is found. The rule sets a scan compiles look for the sites alone; the whole rule is
 * run (compiled on its own, when first needed) only on the bytes where a site was found, and its answer
 * is the rule's. A rule is staged when its other strings are evidence that is common in any application:
 * mamori_php_joined_name_call's arrays of short literals (`['id' => 1, 'type' => ...`) were 40% of the
 * PHP rules' CPU over MediaWiki's PHP (session 33: YARA-X verifies each of their frequent atoms' hits).
 */
export const STAGED_RULES: ReadonlyMap<string, readonly string[]> = new Map([['mamori_php_joined_name_call', ['a0', 'a', 'r', 'v', 'b']]]);

/** The external variables mamori's rules read; the scanner sets them per file. */
export const RULE_EXTERNALS = ['filename', 'filepath', 'extension', 'filetype'] as const;

/**
 * Our rules for tiny files (`filesize < N` with N at most 8 KB in their condition): a 2 KB file
 * that is only an uploader is not a large application's upload handler. They are not read in the
 * excerpts of a large file (php-excerpts.ts), which are small by construction; rules whose bound
 * is larger than any excerpt read them as the small file the injected code would be.
 */
export const TINY_FILE_RULES: ReadonlySet<string> = new Set(
  BUILTIN_RULES.flatMap((r) =>
    [...r.source.matchAll(/^rule\s+(\w+)\s*\{((?:(?!^rule\s)[\s\S])*?)^\}/gm)]
      .filter((m) => [...m[2]!.split('condition:')[1]!.matchAll(/\bfilesize\s*<=?\s*(\d+)\s*(KB|MB)?/g)].some((f) => Number(f[1]) * (f[2] === 'MB' ? 1 << 20 : f[2] === 'KB' ? 1024 : 1) <= 8192))
      .map((m) => m[1]!),
  ),
);
