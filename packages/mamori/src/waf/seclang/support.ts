// Counting which SecLang names a configuration uses, and the support matrix:
// the registries as a markdown table, for `mamori waf lint` and
// docs/seclang-support.md.

import type { Action, MacroString, Rule, SecLangConfig, Variable } from './ast.js';
import { ACTIONS, CTL_OPTIONS, DIRECTIVES, OPERATORS, TRANSFORMATIONS, VARIABLES } from './registry.js';

/** How often each canonical name occurs. Directives count directive lines; the rest count uses inside rules (chain links included). */
export interface Usage {
  directives: Map<string, number>;
  variables: Map<string, number>;
  operators: Map<string, number>;
  transformations: Map<string, number>;
  actions: Map<string, number>;
  ctl: Map<string, number>;
  /** Variables named inside `%{...}` macros. */
  macros: Map<string, number>;
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

export function countUsage(config: SecLangConfig): Usage {
  const u: Usage = {
    directives: new Map(),
    variables: new Map(),
    operators: new Map(),
    transformations: new Map(),
    actions: new Map(),
    ctl: new Map(),
    macros: new Map(),
  };
  const vars = (vs: readonly Variable[]) => vs.forEach((v) => bump(u.variables, v.name));
  const macros = (m: MacroString | undefined) => m?.parts.forEach((p) => p.kind === 'macro' && bump(u.macros, p.variable));
  const actions = (as: readonly Action[]) => {
    for (const a of as) {
      bump(u.actions, a.name);
      if (a.name === 't') bump(u.transformations, a.value!);
      if (a.ctl) {
        bump(u.ctl, a.ctl.option);
        if (a.ctl.targets) vars(a.ctl.targets);
      }
      macros(a.macro);
      if (a.setvar) {
        macros(a.setvar.name);
        macros(a.setvar.value);
      }
    }
  };
  const rule = (r: Rule) => {
    vars(r.variables);
    if (r.operator) {
      bump(u.operators, r.operator.name);
      macros(r.operator.argument);
    }
    actions(r.actions);
  };
  for (const d of config.directives) {
    switch (d.kind) {
      case 'rule':
        bump(u.directives, d.directive);
        rule(d);
        for (const c of d.chain) {
          bump(u.directives, 'SecRule');
          rule(c);
        }
        break;
      case 'marker':
        bump(u.directives, 'SecMarker');
        break;
      case 'defaultAction':
        bump(u.directives, 'SecDefaultAction');
        actions(d.actions);
        break;
      case 'removeById':
        bump(u.directives, 'SecRuleRemoveById');
        break;
      case 'removeByTag':
        bump(u.directives, 'SecRuleRemoveByTag');
        break;
      case 'removeByMsg':
        bump(u.directives, 'SecRuleRemoveByMsg');
        break;
      case 'updateTarget':
        bump(u.directives, d.by === 'id' ? 'SecRuleUpdateTargetById' : d.by === 'tag' ? 'SecRuleUpdateTargetByTag' : 'SecRuleUpdateTargetByMsg');
        vars(d.targets);
        if (d.replaced) vars(d.replaced);
        break;
      case 'updateAction':
        bump(u.directives, 'SecRuleUpdateActionById');
        actions(d.actions);
        break;
      case 'setting':
        bump(u.directives, d.name);
        break;
      case 'include':
        bump(u.directives, d.optional ? 'IncludeOptional' : 'Include');
        break;
    }
  }
  return u;
}

export interface SupportMatrixOptions {
  /** Counts to show in a "used" column, e.g. from countUsage on CRS. */
  usage?: Usage;
  /** What the counts were taken from, for the column heading. */
  usageLabel?: string;
  /**
   * What the engine runs, per kind of name: adds an "Engine" column (yes / no).
   * The parser accepts more than an engine may run; this keeps the two apart.
   */
  engine?: Partial<Record<'directives' | 'variables' | 'operators' | 'transformations' | 'actions' | 'ctl', (name: string) => boolean>>;
}

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

function table(heads: string[], rows: string[][]): string {
  const lines = [`| ${heads.join(' | ')} |`, `| ${heads.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** The registries as markdown: one table per kind of name. */
export function supportMatrix(options: SupportMatrixOptions = {}): string {
  const u = options.usage;
  const label = options.usageLabel ?? 'Used';
  const used = (m: Map<string, number> | undefined, name: string): string[] => (u ? [String(m?.get(name) ?? 0)] : []);
  const uh = u ? [label] : [];
  const eng = options.engine;
  const eh = (kind: keyof NonNullable<SupportMatrixOptions['engine']>) => (eng?.[kind] ? ['Engine'] : []);
  const ec = (kind: keyof NonNullable<SupportMatrixOptions['engine']>, name: string) => {
    const f = eng?.[kind];
    return f ? [f(name) ? 'yes' : 'no'] : [];
  };
  const out: string[] = [];
  out.push('# SecLang support matrix');
  out.push('');
  out.push('Generated from the registries in `packages/mamori/src/waf/seclang/registry.ts`; do not edit by hand.');
  out.push('Every name below is accepted by the parser and checked (values, arity, collections);');
  out.push('any other name is an error that refuses the whole file.');
  if (u) out.push(`The "${label}" column counts uses in the configuration it was generated from.`);
  out.push('');
  out.push('## How rule files are read', '');
  out.push(
    [
      '- Files are read as bytes (latin1), so patterns keep the exact bytes written.',
      '- A line whose last character is a backslash continues on the next line (a blank after the backslash ends it); a line starting with `#` is a comment, continuations included (as in Apache httpd).',
      '- Arguments follow httpd: blanks separate them; in `"..."` or `\'...\'` the escaped quote and `\\\\` are unescaped, other backslashes are kept; outside quotes a backslash is an ordinary character.',
      "- Action values in `'...'` accept only `\\'` and `\\\\` as escapes (as ModSecurity v2); anything else is an error.",
      '- Names of directives, variables, operators, transformations, actions and ctl options are case-insensitive.',
      '- `Include` and `IncludeOptional` take globs relative to the including file, in name order; nesting, cycles, file count and bytes are bounded.',
      '- Any error refuses the whole load, with the file, the line and the problem.',
    ].join('\n'),
    '',
  );
  const section = (title: string, n: number) => {
    out.push(`## ${title} (${n})`, '');
  };
  section('Directives', DIRECTIVES.length);
  out.push(
    table(
      ['Directive', 'Group', 'Arguments', ...eh('directives'), ...uh, 'Description'],
      DIRECTIVES.map((d) => [
        `\`${d.name}\``,
        d.group,
        (d.values ? d.values.join(' / ') : d.minArgs === d.maxArgs ? String(d.minArgs) : d.maxArgs === Infinity ? `${d.minArgs}+` : `${d.minArgs}-${d.maxArgs}`) + (d.numeric ? ' (number)' : ''),
        ...ec('directives', d.name),
        ...used(u?.directives, d.name),
        d.description,
      ]),
    ),
    '',
  );
  section('Variables', VARIABLES.length);
  out.push(
    table(
      ['Variable', 'Kind', ...eh('variables'), ...uh, ...(u ? ['In macros'] : []), 'Description'],
      VARIABLES.map((v) => [
        `\`${v.name}\``,
        v.collection ? (v.writable ? 'collection (setvar)' : 'collection') : 'scalar',
        ...ec('variables', v.name),
        ...used(u?.variables, v.name),
        ...used(u?.macros, v.name),
        v.description,
      ]),
    ),
    '',
  );
  section('Operators', OPERATORS.length);
  out.push(
    table(
      ['Operator', 'Argument', ...eh('operators'), ...uh, 'Description'],
      OPERATORS.map((o) => [`\`@${o.name}\``, o.argument + (o.readsFiles ? ' (files)' : ''), ...ec('operators', o.name), ...used(u?.operators, o.name), o.description]),
    ),
    '',
  );
  section('Transformations', TRANSFORMATIONS.length);
  out.push(
    table(
      ['Transformation', ...eh('transformations'), ...uh, 'Description'],
      TRANSFORMATIONS.map((t) => [`\`t:${t.name}\``, ...ec('transformations', t.name), ...used(u?.transformations, t.name), t.description]),
    ),
    '',
  );
  section('Actions', ACTIONS.length);
  out.push(
    table(
      ['Action', 'Group', 'Value', 'Chain links', ...eh('actions'), ...uh, 'Description'],
      ACTIONS.map((a) => [`\`${a.name}\``, a.group, a.value, a.starterOnly ? 'starter only' : 'allowed', ...ec('actions', a.name), ...used(u?.actions, a.name), a.description]),
    ),
    '',
  );
  section('ctl options', CTL_OPTIONS.length);
  out.push(
    table(
      ['Option', 'Value', ...eh('ctl'), ...uh, 'Description'],
      CTL_OPTIONS.map((c) => [`\`ctl:${c.name}\``, c.value, ...ec('ctl', c.name), ...used(u?.ctl, c.name), c.description]),
    ),
    '',
  );
  return out.join('\n');
}
