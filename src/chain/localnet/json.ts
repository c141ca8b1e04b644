// JSON as Solana's JSON-RPC writes it: u64 values (bigints here) as plain integers. Pure.

/** JSON with bigints written as plain integers, never as strings or floats. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `__bigint__${v.toString()}` : v)).replace(
    /"__bigint__(-?\d+)"/g,
    "$1",
  );
}
