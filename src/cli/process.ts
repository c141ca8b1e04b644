// What the commands share: reading required and --port flags, and waiting for SIGINT or SIGTERM.
import { MarketError } from "../core/errors.js";

/** The value of a flag that must be given. @throws INVALID_FIELD (missing or empty) */
export function requiredFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value === "")
    throw new MarketError("INVALID_FIELD", { field: flag, value: "missing", allowed: `a value for ${flag}` });
  return value;
}

/** A --port flag: 0..65535 (0 picks a free port), or `fallback` when absent. @throws OUT_OF_RANGE */
export function parsePort(value: string | undefined, fallback: number): number {
  const port = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new MarketError("OUT_OF_RANGE", { field: "--port", value: String(value), min: "0", max: "65535" });
  return port;
}

/** Resolves at the first SIGINT or SIGTERM (Ctrl-C, or a service manager stopping the process). */
export function untilStopped(): Promise<void> {
  return new Promise<void>((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
