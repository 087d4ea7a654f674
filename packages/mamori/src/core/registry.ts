/**
 * One registry per kind of plugin (scenarios now; detectors, operators,
 * log parsers and feed readers later), per instance: `register` refuses a
 * name twice, `freeze` ends registration, `get` names what exists when a
 * config asks for something that does not.
 */
import { MamoriError } from './errors.js';

export class Registry<T> {
  readonly kind: string;
  readonly #items = new Map<string, T>();
  #frozen = false;

  constructor(kind: string) {
    this.kind = kind;
  }

  register(name: string, item: T): this {
    if (this.#frozen) throw new MamoriError('MAMORI_ERR_REGISTRY_FROZEN', `the ${this.kind} registry is frozen; register "${name}" before it is compiled`);
    if (this.#items.has(name)) throw new MamoriError('MAMORI_ERR_REGISTRY_DUPLICATE', `a ${this.kind} named "${name}" is already registered`);
    this.#items.set(name, item);
    return this;
  }

  freeze(): this {
    this.#frozen = true;
    return this;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  has(name: string): boolean {
    return this.#items.has(name);
  }

  get(name: string): T {
    const item = this.#items.get(name);
    if (item === undefined) {
      throw new MamoriError('MAMORI_ERR_REGISTRY_UNKNOWN', `no ${this.kind} is named "${String(name).slice(0, 60)}"; choose one of ${this.names().join(', ')}`);
    }
    return item;
  }

  names(): string[] {
    return [...this.#items.keys()];
  }

  values(): T[] {
    return [...this.#items.values()];
  }
}
