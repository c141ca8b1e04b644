// The hostile suite's tally: every attack is a case that is tried, and held when the system
// refused it and nothing changed. Each test file prints one summary line after its last test.
import { afterAll } from "vitest";

/** Cases one file tried, and how many held. */
export interface Tally {
  readonly tried: number;
  readonly held: number;
  /** Runs one attack: counted as tried, and as held when `attack` (with its checks) completes. */
  attempt<T>(attack: () => Promise<T> | T): Promise<T>;
  /** The summary line: `hostile: N cases tried, N held`. */
  summary(): string;
}

/** A tally that prints its summary line from an afterAll of the calling file. */
export function hostileTally(): Tally {
  let tried = 0;
  let held = 0;
  const tally: Tally = {
    get tried() {
      return tried;
    },
    get held() {
      return held;
    },
    async attempt(attack) {
      tried++;
      const result = await attack();
      held++;
      return result;
    },
    summary: () => `hostile: ${tried} cases tried, ${held} held`,
  };
  afterAll(() => {
    console.log(tally.summary());
  });
  return tally;
}
