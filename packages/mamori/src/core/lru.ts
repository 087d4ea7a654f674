/**
 * A bounded least-recently-used map (a Map keeps insertion order): a hit moves its key to the
 * newest end, a set past `max` drops the oldest. For caches keyed by what an attacker sends
 * (addresses, host names), which must not grow without end. A `max` of 0 caches nothing.
 */
export class BoundedCache<V> {
  readonly #map = new Map<string, V>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = Math.max(0, Math.trunc(max));
  }
  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    if (this.#max === 0) return;
    this.#map.delete(key);
    this.#map.set(key, v);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
  }
  get size(): number {
    return this.#map.size;
  }
}
