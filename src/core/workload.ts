// What a buyer asks a provider to run: a container image pinned by digest, its command, arguments
// and environment. Part of the signed order; shown to the order's buyer and matched provider only.
// Never a secret: the provider reads every byte of it. Pure, no I/O.
import { MarketError, describeValue } from "./errors.js";
import { asRecord } from "./validate.js";

/** Named bounds of a workload, so one order cannot make the market store or show much. */
export const WORKLOAD_LIMITS = {
  /** Longest image reference (registry/name:tag@sha256:digest). */
  imageLengthMax: 256,
  /** Items in command plus args. */
  argvItemsMax: 64,
  /** Longest single command or argument. */
  argLengthMax: 1024,
  /** Environment variables. */
  envMax: 32,
  /** Longest environment variable value. */
  envValueLengthMax: 1024,
  /** Bytes of the whole workload as JSON. */
  bytesMax: 16 * 1024,
} as const;

/** A bounded descriptor of what a job runs. Invariant: the image is pinned by a sha256 digest. */
export interface Workload {
  /** Container image reference pinned by digest: `registry/name[:tag]@sha256:<64 hex>`. */
  readonly image: string;
  /** Replaces the image's entrypoint when given. */
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** Environment variables by name (no secrets: the provider sees them). */
  readonly env?: Readonly<Record<string, string>>;
}

const IMAGE_PATTERN = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[0-9a-f]{64}$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
// Control characters other than tab would let a workload forge lines in a provider's logs.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function parseArgv(value: unknown, field: string, used: number): string[] {
  if (!Array.isArray(value) || used + value.length > WORKLOAD_LIMITS.argvItemsMax) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(value),
      allowed: `a list of strings; command and args together hold at most ${WORKLOAD_LIMITS.argvItemsMax}`,
    });
  }
  return value.map((item: unknown, i) => {
    if (typeof item !== "string" || item.length > WORKLOAD_LIMITS.argLengthMax || CONTROL.test(item)) {
      throw new MarketError("INVALID_FIELD", {
        field: `${field}[${i}]`,
        value: describeValue(item),
        allowed: `a string of at most ${WORKLOAD_LIMITS.argLengthMax} characters without control characters`,
      });
    }
    return item;
  });
}

function parseEnv(value: unknown, field: string): Record<string, string> {
  const raw = asRecord(value, field, `an object of at most ${WORKLOAD_LIMITS.envMax} NAME: "value" pairs`);
  const names = Object.keys(raw);
  if (names.length > WORKLOAD_LIMITS.envMax) {
    throw new MarketError("INVALID_FIELD", { field, value: `${names.length} variables`, allowed: `at most ${WORKLOAD_LIMITS.envMax}` });
  }
  const env: Record<string, string> = {};
  for (const name of names.sort()) {
    if (!ENV_NAME_PATTERN.test(name) || name.startsWith("MOLT_")) {
      throw new MarketError("INVALID_FIELD", {
        field: `${field}.${name.slice(0, 64)}`,
        value: describeValue(name),
        allowed: "a variable name of letters, digits and _ (not starting with a digit, not MOLT_*, which the provider's agent sets)",
      });
    }
    const text = raw[name];
    if (typeof text !== "string" || text.length > WORKLOAD_LIMITS.envValueLengthMax || CONTROL.test(text)) {
      throw new MarketError("INVALID_FIELD", {
        field: `${field}.${name}`,
        value: describeValue(text),
        allowed: `a string of at most ${WORKLOAD_LIMITS.envValueLengthMax} characters without control characters`,
      });
    }
    env[name] = text;
  }
  return env;
}

/**
 * Validates a workload and returns a frozen, normalized copy (env sorted by name). Invariants: the
 * image is pinned by digest; every list and string is within WORKLOAD_LIMITS.
 * @throws INVALID_FIELD
 * @example parseWorkload({ image: "ghcr.io/acme/train@sha256:<64 hex>", args: ["--epochs", "3"] })
 */
export function parseWorkload(value: unknown, field = "workload"): Workload {
  const raw = asRecord(value, field, "{ image, command?, args?, env? }");
  for (const key of Object.keys(raw)) {
    if (!["image", "command", "args", "env"].includes(key)) {
      throw new MarketError("INVALID_FIELD", {
        field: `${field}.${key.slice(0, 64)}`,
        value: "present",
        allowed: "image, command, args, env",
      });
    }
  }
  if (typeof raw.image !== "string" || raw.image.length > WORKLOAD_LIMITS.imageLengthMax || !IMAGE_PATTERN.test(raw.image)) {
    throw new MarketError("INVALID_FIELD", {
      field: `${field}.image`,
      value: describeValue(raw.image),
      allowed: `an image pinned by digest, e.g. ghcr.io/acme/train:v3@sha256:<64 hex digits>, at most ${WORKLOAD_LIMITS.imageLengthMax} characters`,
    });
  }
  const workload: { -readonly [K in keyof Workload]: Workload[K] } = { image: raw.image };
  if (raw.command !== undefined) workload.command = Object.freeze(parseArgv(raw.command, `${field}.command`, 0));
  if (raw.args !== undefined) workload.args = Object.freeze(parseArgv(raw.args, `${field}.args`, workload.command?.length ?? 0));
  if (raw.env !== undefined) workload.env = Object.freeze(parseEnv(raw.env, `${field}.env`));
  const bytes = Buffer.byteLength(JSON.stringify(workload));
  if (bytes > WORKLOAD_LIMITS.bytesMax) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: `${bytes} bytes`,
      allowed: `at most ${WORKLOAD_LIMITS.bytesMax} bytes as JSON`,
    });
  }
  return Object.freeze(workload);
}
