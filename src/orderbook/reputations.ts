// Reputations: each provider's reputation in [0, 1] by interned provider index, with its score
// part in whole units computed once when set. In memory only, no I/O.
import { MarketError } from "../core/errors.js";
import { REPUTATION_DEFAULT, reputationUnits } from "./score.js";

/** The reputation part of a provider nobody has rated, in score units. */
export const REPUTATION_DEFAULT_UNITS = reputationUnits(REPUTATION_DEFAULT);

/** A reputation is a finite number in [0, 1]. @throws OUT_OF_RANGE */
export function assertReputation(reputation: number): void {
  if (typeof reputation !== "number" || !Number.isFinite(reputation) || reputation < 0 || reputation > 1) {
    throw new MarketError("OUT_OF_RANGE", { field: "reputation", value: String(reputation), min: "0", max: "1" });
  }
}

/**
 * Reputations by provider index. Invariant: units[p] = reputationUnits(values[p]) for every p;
 * a provider never set has REPUTATION_DEFAULT.
 */
export class Reputations {
  private values = new Float64Array(64).fill(REPUTATION_DEFAULT);
  private units = new Int32Array(64).fill(REPUTATION_DEFAULT_UNITS);
  /** The highest reputation part any provider has had, in units: never below any provider's now. */
  unitsMax = REPUTATION_DEFAULT_UNITS;

  /** Sets a provider's reputation, checked first by assertReputation. */
  set(provider: number, reputation: number): void {
    if (provider >= this.values.length) {
      const length = Math.max(provider + 1, this.values.length * 2);
      const values = new Float64Array(length).fill(REPUTATION_DEFAULT);
      values.set(this.values);
      this.values = values;
      const units = new Int32Array(length).fill(REPUTATION_DEFAULT_UNITS);
      units.set(this.units);
      this.units = units;
    }
    this.values[provider] = reputation;
    this.units[provider] = reputationUnits(reputation);
    this.unitsMax = Math.max(this.unitsMax, this.units[provider] ?? 0);
  }

  /** A provider's reputation (REPUTATION_DEFAULT when never set; -1 is a provider never seen). */
  valueOf(provider: number): number {
    return provider < 0 ? REPUTATION_DEFAULT : (this.values[provider] ?? REPUTATION_DEFAULT);
  }

  /** A provider's reputation part, in score units. */
  unitsOf(provider: number): number {
    return this.units[provider] ?? REPUTATION_DEFAULT_UNITS;
  }
}
