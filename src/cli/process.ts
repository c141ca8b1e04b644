// What the commands share: reading required, whole-number and --port flags, and waiting for SIGINT or SIGTERM.
import { MarketError } from "../core/errors.js";

/** The value of a flag that must be given; `example` shows one in the error. @throws INVALID_FIELD (missing or empty) */
export function requiredFlag(value: string | undefined, flag: string, example?: string): string {
  if (value === undefined || value === "")
    throw new MarketError("INVALID_FIELD", {
      field: flag,
      value: "missing",
      allowed: example === undefined ? `give ${flag.split(" ")[0] ?? flag} a value (see --help)` : `give it, e.g. ${flag} ${example}`,
    });
  return value;
}

/** A flag that must be a whole number (0 or more), e.g. `--gpus 4`. @throws INVALID_FIELD (missing, or not a whole number) */
export function wholeNumberFlag(value: string | undefined, flag: string, example: string): number {
  const text = requiredFlag(value, flag, example);
  if (!/^\d{1,15}$/.test(text))
    throw new MarketError("INVALID_FIELD", {
      field: flag,
      value: JSON.stringify(text),
      allowed: `a whole number, e.g. ${flag} ${example}`,
    });
  return Number(text);
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
