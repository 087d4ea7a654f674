/**
 * Pushes block decisions to the host firewall: nftables sets with timeouts, so a blocked
 * source's packets are dropped before they reach any service, and the kernel forgets it when
 * the decision lapses. mamori owns one table (`inet mamori` by default):
 *
 *   table inet mamori {
 *     set blocked_ip4  { type ipv4_addr; flags timeout; }
 *     set blocked_ip6  { type ipv6_addr; flags timeout; }
 *     set blocked_net4 { type ipv4_addr; flags interval, timeout; }
 *     set blocked_net6 { type ipv6_addr; flags interval, timeout; }
 *     chain input { type filter hook input priority -10; policy accept;
 *       ip saddr @blocked_ip4 drop; ... }
 *   }
 *
 * Addresses and ranges live in separate sets: in an interval set an address inside a range
 * already there is refused ("interval overlaps"), which would fail a whole batch.
 *
 * `nft` runs with an argument array (`nft -f -`) and reads a script on stdin that mamori
 * writes from values it parsed and printed itself (canonical addresses and ranges, names
 * checked against a strict pattern): nothing from a log reaches the command line or the
 * script unparsed. Additions are batched (one nft run per batch); a batch nft refuses is
 * tried again element by element, so one bad element costs only itself. A re-added element
 * gets its new timeout (add, delete, add in one transaction: nft's add keeps an existing
 * element's timeout). With `dryRun` the script is printed, not run.
 */
import { spawn } from 'node:child_process';
import { parseCidr, formatCidr, formatIp, tryParseIp } from 'mamori/internal';

export interface NftOptions {
  /** Default `mamori`. */
  table?: string;
  /** Add the input chain that drops what the sets hold (default true); false: only the sets, for your own rules. */
  chain?: boolean;
  /** The chain's hook priority (default -10: before the usual filter chains). */
  priority?: number;
  /** The command, as an argument array (default `['nft']`; e.g. `['ip', 'netns', 'exec', 'NAME', 'nft']`). */
  command?: readonly string[];
  /** Print what would run instead of running it. */
  dryRun?: boolean;
  /** Where a dry run prints (default stdout). */
  print?: (text: string) => void;
  /** Longest timeout put on an element (default 30 days). */
  maxTimeoutMs?: number;
  /** Per nft run (default 10 s). */
  timeoutMs?: number;
  /** Elements waiting at most (default 10,000; a full queue drops the newest, counted). */
  maxQueue?: number;
  /** Background failures. */
  onError?: (err: unknown) => void;
  /** Injected for tests: runs the command with the script on stdin. */
  run?: (file: string, args: readonly string[], stdin: string, timeoutMs: number) => Promise<RunResult>;
}

export interface RunResult {
  code: number | null;
  stderr: string;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export interface Element {
  /** Canonical address or range. */
  readonly value: string;
  readonly set: string;
  readonly timeoutS: number;
  /** Taken out of the set (a decision deleted before its time), rather than put in. */
  readonly remove?: boolean;
}

export class NftFirewall {
  readonly #table: string;
  readonly #o: NftOptions;
  readonly #command: readonly string[];
  readonly #run: NonNullable<NftOptions['run']>;
  readonly #maxQueue: number;
  #queue: Element[] = [];
  #busy: Promise<void> | undefined;
  #ready = false;
  added = 0;
  removed = 0;
  failed = 0;
  dropped = 0;
  runs = 0;

  constructor(o: NftOptions = {}) {
    const table = o.table ?? 'mamori';
    if (!NAME.test(table)) throw new TypeError(`nftables table name "${table.slice(0, 40)}" must be a letter then letters, digits or _ (32 at most)`);
    const cmd = o.command ?? ['nft'];
    if (cmd.length === 0 || cmd.some((a) => typeof a !== 'string' || a.length === 0 || a.includes('\u0000'))) throw new TypeError('the nft command must be a non-empty list of arguments');
    this.#table = table;
    this.#o = o;
    this.#command = cmd;
    this.#run = o.run ?? runCommand;
    this.#maxQueue = o.maxQueue ?? 10_000;
  }

  /** The script that makes the table, its sets and (unless chain: false) its chain. Idempotent. */
  setupScript(): string {
    const t = `inet ${this.#table}`;
    const lines = [
      `add table ${t}`,
      `add set ${t} blocked_ip4 { type ipv4_addr; flags timeout; }`,
      `add set ${t} blocked_ip6 { type ipv6_addr; flags timeout; }`,
      `add set ${t} blocked_net4 { type ipv4_addr; flags interval, timeout; }`,
      `add set ${t} blocked_net6 { type ipv6_addr; flags interval, timeout; }`,
    ];
    if (this.#o.chain !== false) {
      const prio = Math.trunc(this.#o.priority ?? -10);
      lines.push(
        `add chain ${t} input { type filter hook input priority ${prio}; policy accept; }`,
        // Our own chain, so its rules are made anew (not appended again at every start).
        `flush chain ${t} input`,
        `add rule ${t} input ip saddr @blocked_ip4 drop`,
        `add rule ${t} input ip saddr @blocked_net4 drop`,
        `add rule ${t} input ip6 saddr @blocked_ip6 drop`,
        `add rule ${t} input ip6 saddr @blocked_net6 drop`,
      );
    }
    return `${lines.join('\n')}\n`;
  }

  /** The element for an address or range, or undefined when `value` is neither. */
  element(value: string, ttlMs: number): Element | undefined {
    if (typeof value !== 'string' || value.length > 64 || !(ttlMs > 0)) return undefined;
    const timeoutS = Math.max(1, Math.ceil(Math.min(ttlMs, this.#o.maxTimeoutMs ?? 30 * 86_400_000) / 1000));
    if (!value.includes('/')) {
      const ip = tryParseIp(value);
      return ip ? { value: formatIp(ip), set: ip.version === 4 ? 'blocked_ip4' : 'blocked_ip6', timeoutS } : undefined;
    }
    try {
      const c = parseCidr(value);
      const full = c.prefix === (c.version === 4 ? 32 : 128);
      // A /32 or /128 is an address: it goes with the addresses.
      if (full) return { value: formatIp({ version: c.version, words: c.words }), set: c.version === 4 ? 'blocked_ip4' : 'blocked_ip6', timeoutS };
      return { value: formatCidr(c), set: c.version === 4 ? 'blocked_net4' : 'blocked_net6', timeoutS };
    } catch {
      return undefined;
    }
  }

  /** The script that adds elements, each with its (new) timeout. */
  elementScript(els: readonly Element[]): string {
    const t = `inet ${this.#table}`;
    const lines: string[] = [];
    for (const e of els) {
      // (Deleting an element nft does not hold fails the whole script: it is added first, for a second.)
      lines.push(`add element ${t} ${e.set} { ${e.value} timeout 1s }`, `delete element ${t} ${e.set} { ${e.value} }`);
      if (!e.remove) lines.push(`add element ${t} ${e.set} { ${e.value} timeout ${e.timeoutS}s }`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** Queues a block of `value` (an address or range) for `ttlMs`; false when it is neither or the queue is full. */
  block(value: string, ttlMs: number): boolean {
    return this.#enqueue(this.element(value, ttlMs), false);
  }

  /** Queues taking `value` (an address or range) out of its set; false when it is neither or the queue is full. */
  unblock(value: string): boolean {
    return this.#enqueue(this.element(value, 1000), true);
  }

  #enqueue(e: Element | undefined, remove: boolean): boolean {
    if (!e) {
      this.failed++;
      return false;
    }
    if (this.#queue.length >= this.#maxQueue) {
      this.dropped++;
      return false;
    }
    this.#queue.push(remove ? { ...e, remove: true } : e);
    this.#busy ??= this.#pump();
    return true;
  }

  /** Resolves once everything queued was run (or printed). */
  async flush(): Promise<void> {
    while (this.#busy) await this.#busy;
  }

  async #pump(): Promise<void> {
    try {
      // Whatever was queued in this tick goes in one run.
      await Promise.resolve();
      while (this.#queue.length) {
        const batch = this.#queue.splice(0, 500);
        if (!this.#ready) {
          if (!(await this.#exec(this.setupScript()))) {
            this.failed += batch.length;
            continue;
          }
          this.#ready = true;
        }
        const done = (e: Element): void => {
          if (e.remove) this.removed++;
          else this.added++;
        };
        if (await this.#exec(this.elementScript(batch))) {
          batch.forEach(done);
          continue;
        }
        // One refused element fails nft's whole transaction: each again on its own.
        if (batch.length > 1) {
          for (const e of batch) {
            if (await this.#exec(this.elementScript([e]))) done(e);
            else this.failed++;
          }
        } else this.failed++;
      }
    } finally {
      this.#busy = undefined;
    }
  }

  async #exec(script: string): Promise<boolean> {
    const [file, ...pre] = this.#command as [string, ...string[]];
    const args = [...pre, '-f', '-'];
    this.runs++;
    if (this.#o.dryRun) {
      (this.#o.print ?? ((s: string) => process.stdout.write(s)))(`# mamori (dry run) would run: ${[file, ...args].join(' ')} <<'EOF'\n${script}EOF\n`);
      return true;
    }
    try {
      const r = await this.#run(file, args, script, this.#o.timeoutMs ?? 10_000);
      if (r.code === 0) return true;
      this.#report(new Error(`${[file, ...args].join(' ')} exited ${r.code ?? 'on a signal'}: ${r.stderr.trim().split('\n')[0]?.slice(0, 300) ?? ''}`));
    } catch (err) {
      this.#report(err);
    }
    return false;
  }

  #report(err: unknown): void {
    try {
      this.#o.onError?.(err);
    } catch {
      // An error handler that throws has nowhere left to go.
    }
  }
}

/** Runs a command with an argument array, the script on stdin; stderr kept to 64 KiB; killed after `timeoutMs`. */
export function runCommand(file: string, args: readonly string[], stdin: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => {
      if (stderr.length < 65_536) stderr += c.slice(0, 65_536 - stderr.length);
    });
    child.once('error', reject);
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}
