/**
 * The variables a transaction holds, as SecLang names them. A collection is a list of
 * (key, value) entries in the order they were added, repeats kept (ARGS with a parameter sent
 * twice), looked up by key without regard to case (as ModSecurity's tables are); a scalar
 * variable (REQUEST_METHOD) is a collection of one entry whose key is empty.
 */
export interface Entry {
  /** As sent (ARGS) or as set (TX keys are lower-cased). */
  readonly key: string;
  readonly value: string;
}

export class Collection {
  readonly name: string;
  readonly #entries: Entry[] = [];
  /** Entries by lower-cased key, for selector look-ups. */
  #byKey: Map<string, Entry[]> | undefined;

  constructor(name: string, entries?: Iterable<readonly [string, string]>) {
    this.name = name;
    if (entries) for (const [k, v] of entries) this.#entries.push({ key: k, value: v });
  }

  get entries(): readonly Entry[] {
    return this.#entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  add(key: string, value: string): void {
    this.#entries.push({ key, value });
    if (this.#byKey) {
      const k = key.toLowerCase();
      const list = this.#byKey.get(k);
      if (list) list.push(this.#entries[this.#entries.length - 1]!);
      else this.#byKey.set(k, [this.#entries[this.#entries.length - 1]!]);
    }
  }

  /** The entries whose key is `key` (any case). */
  get(key: string): readonly Entry[] {
    if (!this.#byKey) {
      this.#byKey = new Map();
      for (const e of this.#entries) {
        const k = e.key.toLowerCase();
        const list = this.#byKey.get(k);
        if (list) list.push(e);
        else this.#byKey.set(k, [e]);
      }
    }
    return this.#byKey.get(key.toLowerCase()) ?? [];
  }

  /** Replaces every entry of `key` by one (TX's setvar). */
  set(key: string, value: string): void {
    this.remove(key);
    this.add(key, value);
  }

  remove(key: string): void {
    const k = key.toLowerCase();
    let w = 0;
    for (let r = 0; r < this.#entries.length; r++) {
      const e = this.#entries[r]!;
      if (e.key.toLowerCase() !== k) this.#entries[w++] = e;
    }
    this.#entries.length = w;
    this.#byKey?.delete(k);
  }

  clear(): void {
    this.#entries.length = 0;
    this.#byKey = undefined;
  }
}

/** A scalar variable: one entry with an empty key (none when `value` is undefined). */
export function scalar(name: string, value: string | undefined): Collection {
  return new Collection(name, value === undefined ? [] : [['', value]]);
}
