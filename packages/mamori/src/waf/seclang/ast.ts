// The typed syntax tree of a SecLang configuration, as the parser produces it.
// Every node carries the file and line where its directive starts, so that the
// engine, `mamori waf lint` and error messages can point back at the source.

/** Where a node came from: the file as it was resolved and the 1-based line of the directive's first physical line. */
export interface Loc {
  file: string;
  line: number;
}

/** One problem found while loading: the file, the line and what is wrong. */
export interface SecLangError extends Loc {
  message: string;
}

/** A piece of text that may hold macros such as `%{tx.x}` or `%{MATCHED_VAR}`. */
export type MacroPart =
  | { kind: 'text'; text: string }
  | { kind: 'macro'; variable: string; key?: string; raw: string };

export interface MacroString {
  /** The text exactly as it stood in the rule (after quote processing). */
  raw: string;
  parts: MacroPart[];
  /** True when at least one part is a macro, so the engine must expand it per transaction. */
  hasMacros: boolean;
}

/** A selector after a collection name: `ARGS:foo`, `TX:/^x/`, `XML:/*`. */
export type Selector =
  | { kind: 'key'; value: string }
  | { kind: 'regex'; pattern: string }
  | { kind: 'xpath'; value: string };

/** One target of a rule: `ARGS:foo`, `!REQUEST_HEADERS:Referer`, `&TX:x`. */
export interface Variable {
  /** Canonical (registry) name, upper case: `ARGS`, `TX`, `REQUEST_URI`. */
  name: string;
  selector?: Selector;
  /** `!` prefix: removes matching members from the targets of the same rule. */
  exclude: boolean;
  /** `&` prefix: the number of members instead of their values. */
  count: boolean;
}

export interface Operator {
  /** Canonical name without the `@`: `rx`, `pm`, `eq`. */
  name: string;
  negated: boolean;
  /** The argument after the operator name (empty when none). */
  argument: MacroString;
  /** Whether `@` was written; a bare pattern means `@rx`. */
  explicit: boolean;
  /** For the operators that read a file (`@pmFromFile`, `@ipMatchFromFile`): the files, resolved against the rule's directory. */
  files?: string[];
}

/** A `setvar` value split into its parts: `!tx.x`, `tx.x=5`, `tx.x=+%{tx.y}`. */
export interface SetVar {
  collection: string;
  /** The variable name within the collection; it may hold macros (`tx.%{rule.id}-x`). */
  name: MacroString;
  op: 'set' | 'add' | 'sub' | 'delete' | 'flag';
  value?: MacroString;
}

/** A parsed `ctl` action: `ctl:ruleRemoveTargetById=942100;ARGS:foo`. */
export interface Ctl {
  /** Canonical option name from the registry, e.g. `ruleRemoveTargetById`. */
  option: string;
  value: string;
  /** For ruleRemoveById / ruleRemoveTargetById: the rule ids or ranges. */
  ids?: IdRange[];
  /** For the ...Target... options: the targets to remove. */
  targets?: Variable[];
}

export interface IdRange {
  from: number;
  to: number;
}

/** One action from an action list, with its value parsed where the action has a known shape. */
export interface Action {
  /** Canonical name from the registry (`t`, `setvar`, `skipAfter`, ...). */
  name: string;
  /** The value after `:`, quotes removed and escapes resolved; undefined when the action has no value. */
  value?: string;
  /** True when the value was written in single quotes (kept so the printer can reproduce it). */
  quoted?: boolean;
  /** Parsed forms, present for the actions that have them. */
  macro?: MacroString;
  setvar?: SetVar;
  ctl?: Ctl;
}

export type Phase = 1 | 2 | 3 | 4 | 5;

/** A `SecRule` or `SecAction` (a SecAction is a rule with no variables and no operator that always matches). */
export interface Rule extends Loc {
  kind: 'rule';
  directive: 'SecRule' | 'SecAction';
  /** Undefined only on chain links after the first. */
  id?: number;
  /** The effective phase: the explicit `phase:` action, the chain starter's phase for chain links, or 2, ModSecurity's default. */
  phase: Phase;
  variables: Variable[];
  operator?: Operator;
  actions: Action[];
  /** The transformation names from `t:` actions in order, `none` included (the engine resets on it). */
  transformations: string[];
  /** Whether this rule carries `chain`, so the next SecRule is its child. */
  chained: boolean;
  /** On a chain starter: the following links in order. Empty otherwise. */
  chain: Rule[];
  /** On a chain link: the id of the starter it belongs to. */
  chainParentId?: number;
  tags: string[];
  msg?: MacroString;
  logdata?: MacroString;
  severity?: number;
  /** The three arguments as written (after the config reader's quote processing), for messages and round trips. */
  raw: { variables: string; operator: string; actions: string };
}

export interface Marker extends Loc {
  kind: 'marker';
  name: string;
}

export interface DefaultAction extends Loc {
  kind: 'defaultAction';
  phase: Phase;
  actions: Action[];
  transformations: string[];
  raw: string;
}

export interface RemoveById extends Loc {
  kind: 'removeById';
  ids: IdRange[];
}

export interface RemoveByText extends Loc {
  kind: 'removeByTag' | 'removeByMsg';
  /** A regular expression (as ModSecurity treats these arguments). */
  pattern: string;
}

export interface UpdateTarget extends Loc {
  kind: 'updateTarget';
  by: 'id' | 'tag' | 'msg';
  /** For `by: 'id'`: the ids or ranges. */
  ids?: IdRange[];
  /** For `by: 'tag' | 'msg'`: the regular expression. */
  pattern?: string;
  targets: Variable[];
  /** The optional third argument: the target being replaced. */
  replaced?: Variable[];
}

export interface UpdateAction extends Loc {
  kind: 'updateAction';
  id: number;
  /** The `:offset` of a chain link, when given (ModSecurity v3 form `id:offset`). */
  offset?: number;
  actions: Action[];
  raw: string;
}

/** Every other directive (engine switches, body limits, audit and debug logging...), kept with its arguments. */
export interface Setting extends Loc {
  kind: 'setting';
  /** Canonical directive name from the registry. */
  name: string;
  args: string[];
}

export interface IncludeNode extends Loc {
  kind: 'include';
  pattern: string;
  optional: boolean;
  /** The files the pattern named, in the order they were read. */
  files: string[];
}

export type Directive = Rule | Marker | DefaultAction | RemoveById | RemoveByText | UpdateTarget | UpdateAction | Setting | IncludeNode;

/** A fully loaded configuration. Rules are chain starters; their links sit in `chain`. */
export interface SecLangConfig {
  /** All directives in load order, includes expanded in place (the include node comes before the files it read). */
  directives: Directive[];
  rules: Rule[];
  markers: Marker[];
  /** Every file read, in order. */
  files: string[];
}

export type LoadResult = { ok: true; config: SecLangConfig } | { ok: false; errors: SecLangError[] };
