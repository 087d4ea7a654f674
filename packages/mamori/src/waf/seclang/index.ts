// SecLang: the rule language of ModSecurity and the OWASP Core Rule Set.
export type * from './ast.js';
export { loadSecLangFile, loadSecLangFiles, parseSecLang, expandGlob, formatErrors, type LoadOptions } from './parser.js';
export { lex, lexIter, splitWords, type RawDirective, type LexLimits, DEFAULT_LEX_LIMITS } from './lexer.js';
export { parseVariables, parseOperator, parseActions, splitActions, parseMacros, parseSetvar, parseCtl, parseIdRanges, PartError } from './parts.js';
export * from './registry.js';
export { printDirective, printRule, printVariables, printOperator, printActions, quoteArg } from './printer.js';
export { countUsage, supportMatrix, type Usage } from './support.js';
