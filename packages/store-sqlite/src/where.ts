/** WHERE clauses built from fixed SQL fragments: values only ever go in as named parameters. */
export interface Where {
  /** Which conditions are in, for caching one prepared statement per shape. */
  key: string;
  /** `WHERE a AND b`, or '' when no condition is set. */
  sql: string;
  params: Record<string, string | number>;
}

/**
 * Each condition is [fixed SQL, parameter name ('' when it takes none), value]; those whose
 * value is undefined are left out.
 */
export function where(conditions: readonly (readonly [sql: string, param: string, value: string | number | undefined])[]): Where {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  let key = '';
  conditions.forEach(([sql, param, value], i) => {
    if (value === undefined) return;
    parts.push(sql);
    if (param) params[param] = value;
    key += i.toString(36);
  });
  return { key, sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}
