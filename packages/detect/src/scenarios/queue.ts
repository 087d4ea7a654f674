/**
 * A first-in-first-out queue of (key, value) pairs in a growable ring. A Map
 * used as a queue (delete the first key, append at the end) gets slower as it
 * goes: V8 keeps deleted entries as holes until it rehashes, and each look at
 * the "first" key walks over them. The group tables keep their order here
 * instead, and the Map only for look-ups.
 */
export class RingQueue<V> {
  private keys: (string | undefined)[] = new Array<string | undefined>(16);
  private vals: (V | undefined)[] = new Array<V | undefined>(16);
  private head = 0;
  size = 0;

  push(key: string, val: V): void {
    if (this.size === this.keys.length) this.grow();
    const i = (this.head + this.size) & (this.keys.length - 1);
    this.keys[i] = key;
    this.vals[i] = val;
    this.size++;
  }

  /** The oldest pair's key, or undefined when empty. */
  peekKey(): string | undefined {
    return this.size === 0 ? undefined : this.keys[this.head];
  }

  peekVal(): V | undefined {
    return this.size === 0 ? undefined : this.vals[this.head];
  }

  shift(): void {
    if (this.size === 0) return;
    this.keys[this.head] = undefined;
    this.vals[this.head] = undefined;
    this.head = (this.head + 1) & (this.keys.length - 1);
    this.size--;
  }

  clear(): void {
    this.keys = new Array<string | undefined>(16);
    this.vals = new Array<V | undefined>(16);
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const n = this.keys.length;
    const keys = new Array<string | undefined>(n * 2);
    const vals = new Array<V | undefined>(n * 2);
    for (let i = 0; i < this.size; i++) {
      keys[i] = this.keys[(this.head + i) & (n - 1)];
      vals[i] = this.vals[(this.head + i) & (n - 1)];
    }
    this.keys = keys;
    this.vals = vals;
    this.head = 0;
  }
}
