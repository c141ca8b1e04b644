// What the long-running commands share: reading a --port flag, and waiting for SIGINT or SIGTERM.
import { MarketError } from "../core/errors.js";

/** A --port flag: 0..65535 (0 picks a free port), or `fallback` when absent. @throws OUT_OF_RANGE */
export function parsePort(value: string | undefined, fallback: number): number {
  const port = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MarketError("OUT_OF_RANGE", { field: "--port", value: String(value), min: "0", max: "65535" });
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
