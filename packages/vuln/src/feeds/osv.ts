/**
 * OSV records (the GitHub Advisory Database publishes npm advisories in this format): each
 * `affected[]` package with its ranges of `introduced` / `fixed` / `last_affected` events and
 * explicit `versions`. Aliases link a GHSA id to its CVE.
 */
import { defined, Reader } from './json.js';

export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}
export interface OsvAffected {
  readonly path: string;
  readonly ecosystem: string;
  readonly name: string;
  readonly ranges: readonly { readonly path: string; readonly type: string; readonly events: readonly OsvEvent[] }[];
  readonly versions: readonly string[];
}
export interface OsvRecord {
  readonly id: string;
  readonly aliases: readonly string[];
  /** OSV 1.7 `upstream`: the ids this record derives from (Debian's and Ubuntu's records name their CVE here). */
  readonly upstream?: readonly string[];
  /** `related`: AlmaLinux's and Rocky's errata name the CVEs they fix here. */
  readonly related?: readonly string[];
  readonly modified?: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly summary?: string;
  readonly affected: readonly OsvAffected[];
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

export function readOsv(value: unknown, where: string): OsvRecord {
  const r: Reader = new Reader(where);
  const o = r.obj(value, '');
  const id = r.str(o.id, 'id', 100);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(id)) r.fail('id', `${JSON.stringify(id)} is not an OSV id`);
  return defined({
    id,
    aliases: r.list(o.aliases, 'aliases', 100).map((a, i) => r.str(a, `aliases[${i}]`, 100)),
    upstream: o.upstream === undefined ? undefined : r.list(o.upstream, 'upstream', 100).map((a, i) => r.str(a, `upstream[${i}]`, 100)),
    related: o.related === undefined ? undefined : r.list(o.related, 'related', 200).map((a, i) => r.str(a, `related[${i}]`, 100)),
    modified: r.optStr(o.modified, 'modified', 40),
    published: r.optStr(o.published, 'published', 40),
    withdrawn: r.optStr(o.withdrawn, 'withdrawn', 40),
    summary: r.optStr(o.summary, 'summary', 1000),
    affected: r.list(o.affected, 'affected', 1000).map((av, ai) => {
      const p = `affected[${ai}]`;
      const a = r.obj(av, p);
      const pkg = r.obj(a.package, `${p}.package`);
      return {
        path: p,
        ecosystem: r.str(pkg.ecosystem, `${p}.package.ecosystem`, 100),
        name: r.str(pkg.name, `${p}.package.name`, 300),
        ranges: r.list(a.ranges, `${p}.ranges`, 200).map((rv, ri) => {
          const rp = `${p}.ranges[${ri}]`;
          const rg = r.obj(rv, rp);
          return {
            path: rp,
            type: r.str(rg.type, `${rp}.type`, 20),
            events: r.list(rg.events, `${rp}.events`, 1000).map((ev, ei) => {
              const e = r.obj(ev, `${rp}.events[${ei}]`);
              const out: Record<string, string> = {};
              for (const k of EVENT_KEYS) if (e[k] !== undefined) out[k] = r.str(e[k], `${rp}.events[${ei}].${k}`, 128);
              if (Object.keys(out).length !== 1) r.fail(`${rp}.events[${ei}]`, 'an event has exactly one of introduced, fixed, last_affected, limit');
              return out as OsvEvent;
            }),
          };
        }),
        versions: r.list(a.versions, `${p}.versions`, 20_000).map((v, i) => r.str(v, `${p}.versions[${i}]`, 128)),
      };
    }),
  });
}

export const osvKey = (ecosystem: string, name: string) => `osv:${ecosystem.toLowerCase()}:${name}`;
