/**
 * A compiled rule: what the evaluator runs. The SecLang compiler makes these from parsed rule
 * files; nothing here is parsed at request time.
 */
import type { Transformation } from '../transformations/bytes.js';
import type { Macro } from './macros.js';
import type { OperatorTest } from './operators.js';

export type Phase = 1 | 2 | 3 | 4 | 5;

/** One target of a rule: `ARGS`, `ARGS:foo`, `ARGS:/^x/`, `!ARGS:foo`, `&ARGS`. */
export interface Target {
  /** The variable or collection, upper case. */
  readonly collection: string;
  /** The selected key (lower case) or a test of keys; none: every entry. */
  readonly key?: string | { readonly source: string; test(key: string): boolean };
  /** An exclusion (`!ARGS:foo`): removes what it selects from the rule's other targets. */
  readonly exclude: boolean;
  /** `&ARGS`: the number of entries it selects, as one value. */
  readonly count: boolean;
}

export type Disruptive = 'pass' | 'block' | 'deny' | 'drop' | 'allow' | 'allow:phase' | 'allow:request' | 'redirect';

/** `setvar`: set, add to, subtract from or delete one TX (or other collection) variable. */
export interface SetVar {
  readonly collection: string;
  readonly key: Macro;
  readonly op: 'set' | 'add' | 'sub' | 'delete';
  readonly value: Macro;
}

/** `ctl`: a change to this transaction's configuration. */
export interface Ctl {
  readonly name: string;
  readonly value: Macro;
}

export interface CompiledRule {
  /** 0 for a chained link (its starter's id stands for the chain). */
  readonly id: number;
  readonly phase: Phase;
  /** Where it was written: `file:line`. */
  readonly location: string;
  /** Empty for SecAction (it always matches). */
  readonly targets: readonly Target[];
  readonly operator: { readonly name: string; readonly negated: boolean; readonly test: OperatorTest } | undefined;
  readonly transformations: readonly Transformation[];
  /** Their names, for the log and for caching transformed values. */
  readonly transformationNames: readonly string[];
  readonly multiMatch: boolean;
  readonly capture: boolean;
  readonly disruptive: Disruptive | undefined;
  readonly status: number | undefined;
  readonly redirect: Macro | undefined;
  readonly log: boolean;
  readonly auditLog: boolean;
  readonly msg: Macro | undefined;
  readonly logData: Macro | undefined;
  readonly tags: readonly string[];
  readonly severity: string | undefined;
  readonly setVars: readonly SetVar[];
  readonly ctls: readonly Ctl[];
  readonly setEnv: readonly { readonly name: string; readonly value: Macro }[];
  readonly skip: number;
  readonly skipAfter: string | undefined;
  /** The next link of a chain. */
  readonly chain: CompiledRule | undefined;
  /** A SecMarker: no test, a place to skip to. */
  readonly marker: string | undefined;
}

/** A rule that tests nothing and does nothing, to build others from (markers, tests). */
export function blankRule(phase: Phase): CompiledRule {
  return {
    id: 0,
    phase,
    location: '',
    targets: [],
    operator: undefined,
    transformations: [],
    transformationNames: [],
    multiMatch: false,
    capture: false,
    disruptive: undefined,
    status: undefined,
    redirect: undefined,
    log: false,
    auditLog: false,
    msg: undefined,
    logData: undefined,
    tags: [],
    severity: undefined,
    setVars: [],
    ctls: [],
    setEnv: [],
    skip: 0,
    skipAfter: undefined,
    chain: undefined,
    marker: undefined,
  };
}
