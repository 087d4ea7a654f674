// Prints parsed nodes back as SecLang. Parsing the printed text gives the same
// tree again (the tests check this on every CRS rule), which lets tools rewrite
// rules (exclusions, `mamori waf lint --fix` later) without string surgery.

import type { Action, Directive, Operator, Rule, Variable } from './ast.js';

/**
 * Quotes one directive argument for httpd's reader: `"` becomes `\"`, and a
 * backslash is doubled when the reader would otherwise take it together with
 * the next character (before `"`, before `\` and at the very end).
 */
export function quoteArg(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') out += '\\"';
    else if (c === '\\') {
      const next = s[i + 1];
      out += next === undefined || next === '\\' || next === '"' ? '\\\\' : '\\';
    } else out += c;
  }
  return out + '"';
}

export function printVariables(vars: readonly Variable[]): string {
  return vars
    .map((v) => {
      let s = (v.exclude ? '!' : '') + (v.count ? '&' : '') + v.name;
      const sel = v.selector;
      if (sel) {
        if (sel.kind === 'regex') s += `:/${sel.pattern}/`;
        else if (sel.kind === 'xpath') s += `:${sel.value}`;
        else if (/[|\s]|^[/']/.test(sel.value)) {
          if (sel.value.includes("'")) throw new Error(`selector ${sel.value} cannot be printed: it holds both ' and a separator`);
          s += `:'${sel.value}'`;
        } else s += `:${sel.value}`;
      }
      return s;
    })
    .join('|');
}

export function printOperator(op: Operator): string {
  const neg = op.negated ? '!' : '';
  if (!op.explicit) return neg + op.argument.raw;
  return `${neg}@${op.name}${op.argument.raw === '' ? '' : ' ' + op.argument.raw}`;
}

function printActionValue(a: Action): string {
  const v = a.value!;
  // An unquoted value runs to the next comma or blank and keeps backslashes and
  // quotes inside it, so it prints as it was unless it would now read differently.
  if (!a.quoted && !/[,\s]/.test(v) && !v.startsWith("'")) return v;
  return `'${v.replace(/[\\']/g, '\\$&')}'`;
}

export function printActions(actions: readonly Action[]): string {
  return actions.map((a) => (a.value === undefined ? a.name : `${a.name}:${printActionValue(a)}`)).join(',');
}

/** One rule and, for a chain starter, its links, one directive per line. */
export function printRule(r: Rule): string {
  const own =
    r.directive === 'SecAction'
      ? `SecAction ${quoteArg(printActions(r.actions))}`
      : `SecRule ${quoteArg(printVariables(r.variables))} ${quoteArg(printOperator(r.operator!))}` +
        (r.actions.length ? ` ${quoteArg(printActions(r.actions))}` : '');
  return [own, ...r.chain.map((c) => printRule({ ...c, chain: [] }))].join('\n');
}

export function printDirective(d: Directive): string {
  switch (d.kind) {
    case 'rule':
      return printRule(d);
    case 'marker':
      return `SecMarker ${quoteArg(d.name)}`;
    case 'defaultAction':
      return `SecDefaultAction ${quoteArg(printActions(d.actions))}`;
    case 'removeById':
      return `SecRuleRemoveById ${d.ids.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(' ')}`;
    case 'removeByTag':
      return `SecRuleRemoveByTag ${quoteArg(d.pattern)}`;
    case 'removeByMsg':
      return `SecRuleRemoveByMsg ${quoteArg(d.pattern)}`;
    case 'updateTarget': {
      const which = d.by === 'id' ? d.ids!.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',') : quoteArg(d.pattern!);
      const name = d.by === 'id' ? 'SecRuleUpdateTargetById' : d.by === 'tag' ? 'SecRuleUpdateTargetByTag' : 'SecRuleUpdateTargetByMsg';
      return `${name} ${which} ${quoteArg(printVariables(d.targets))}${d.replaced ? ' ' + quoteArg(printVariables(d.replaced)) : ''}`;
    }
    case 'updateAction':
      return `SecRuleUpdateActionById ${d.id}${d.offset !== undefined ? ':' + d.offset : ''} ${quoteArg(printActions(d.actions))}`;
    case 'setting':
      return [d.name, ...d.args.map(quoteArg)].join(' ');
    case 'include':
      return `${d.optional ? 'IncludeOptional' : 'Include'} ${quoteArg(d.pattern)}`;
  }
}
