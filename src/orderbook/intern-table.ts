// InternTable: strings interned to small integers, for the offer table's columns. In memory only.
import { MarketError } from "../core/errors.js";

/** Interns strings to small integers; index 0 is reserved for "none". */
export class InternTable {
  private readonly indexByValue = new Map<string, number>();
  private readonly values: string[] = [""];

  constructor(
    private readonly name: string,
    private readonly max: number,
  ) {}

  /** Index of `value`, adding it when new. @throws LIMIT_EXCEEDED past the table's bound */
  intern(value: string): number {
    let index = this.indexByValue.get(value);
    if (index === undefined) {
      if (this.values.length > this.max) throw new MarketError("LIMIT_EXCEEDED", { limit: this.name, max: this.max });
      index = this.values.length;
      this.values.push(value);
      this.indexByValue.set(value, index);
    }
    return index;
  }

  /** Index of `value`, or -1 when never seen. */
  lookup(value: string): number {
    return this.indexByValue.get(value) ?? -1;
  }

  /** The string at `index` ("" for 0). */
  valueOf(index: number): string {
    return this.values[index] ?? "";
  }

  /** Number of entries including the reserved 0. */
  get size(): number {
    return this.values.length;
  }
}
