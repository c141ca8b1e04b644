// Test helpers for core tests: run a function and check it throws a MarketError of one code.
import { isMarketError } from "../../src/core/errors.js";
import type { MarketError, MarketErrorCode } from "../../src/core/errors.js";

/** What `fn` threw, or undefined when it returned. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function describeThrown(e: unknown): string {
  if (e === undefined) return "no error";
  if (isMarketError(e)) return `MarketError ${e.code}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `a thrown ${typeof e}`;
}

/** Runs `fn`, checks it throws a MarketError with `code` (via isMarketError), and returns it. */
export function expectMarketError<C extends MarketErrorCode>(fn: () => unknown, code: C): MarketError<C> {
  const e = caught(fn);
  if (!isMarketError(e, code)) throw new Error(`expected MarketError ${code}, got ${describeThrown(e)}`);
  return e;
}

/** The `field` of an error's details, when its code carries one. */
export function fieldOf(e: MarketError): string | undefined {
  const details = e.details as { field?: unknown };
  return typeof details.field === "string" ? details.field : undefined;
}
