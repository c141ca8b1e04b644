// Flags of the order and offer commands that need more than a parse: a flag given once only, and a
// workload read from its JSON file. Reads that file; talks to no server.
import { readFileSync } from "node:fs";
import type { OrderRequest } from "../contract/orders.js";
import { MarketError } from "../core/errors.js";

/** The single value of a flag that may be given once only (an offer has one model). @throws INVALID_FIELD when given twice */
export function oneFlag(values: readonly string[] | undefined, flag: string): string | undefined {
  if (values !== undefined && values.length > 1)
    throw new MarketError("INVALID_FIELD", { field: flag, value: `${values.length} values`, allowed: "one value here" });
  return values?.[0];
}

/** The workload in a JSON file, as the order sends it (the server checks it). @throws INVALID_FIELD */
export function readWorkload(path: string): NonNullable<OrderRequest["workload"]> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as NonNullable<OrderRequest["workload"]>;
  } catch (e) {
    throw new MarketError("INVALID_FIELD", {
      field: "--workload",
      value: JSON.stringify(path),
      allowed: `a readable JSON file { image, command?, args?, env? } (${e instanceof Error ? e.message : String(e)})`,
    });
  }
}
