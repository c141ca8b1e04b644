// The MarketError code a promise rejects with (undefined when it resolves or rejects otherwise).
import { isMarketError } from "../../src/core/errors.js";
import type { MarketErrorCode } from "../../src/core/errors.js";

/** The code of the MarketError `promise` rejects with. */
export async function rejectionCode(promise: Promise<unknown>): Promise<MarketErrorCode | undefined> {
  try {
    await promise;
  } catch (e) {
    return isMarketError(e) ? e.code : undefined;
  }
  return undefined;
}
