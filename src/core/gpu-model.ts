// GPU model names: "NVIDIA H100 80GB HBM3", "h100-sxm5" and "H100" all normalize to the key "H100",
// so that buckets and preferred models compare like with like. Pure, no I/O.
import { MarketError, describeValue } from "./errors.js";

/** Longest GPU model name accepted. */
export const GPU_MODEL_LENGTH_MAX = 64;

// Tokens that say who made it, its memory or its form factor, not which GPU it is.
const NOISE_TOKENS = new Set([
  "NVIDIA",
  "GEFORCE",
  "TESLA",
  "QUADRO",
  "AMD",
  "RADEON",
  "INSTINCT",
  "INTEL",
  "SXM",
  "SXM2",
  "SXM3",
  "SXM4",
  "SXM5",
  "SXM6",
  "PCIE",
  "PCI",
  "E",
  "NVL",
  "HGX",
  "DGX",
  "HBM",
  "HBM2",
  "HBM2E",
  "HBM3",
  "HBM3E",
  "GDDR6",
  "GDDR6X",
  "GDDR7",
  "GPU",
  "TENSOR",
  "CORE",
]);
const MEMORY_TOKEN = /^\d+(?:GB|G|GIB)$/;

/**
 * The normalized key of a GPU model name: uppercase, vendor, memory size and form factor dropped,
 * remaining words joined without spaces ("NVIDIA GeForce RTX 4090" -> "RTX4090").
 * @throws INVALID_FIELD when the name is empty, too long, or has nothing left after normalization
 * @example normalizeGpuModel("nvidia  h100 ") // "H100"
 */
export function normalizeGpuModel(name: unknown, field = "gpuCapacity.gpuModel"): string {
  const cached = typeof name === "string" ? NORMALIZED_CACHE.get(name) : undefined;
  if (cached !== undefined) return cached;
  if (typeof name !== "string" || name.length === 0 || name.length > GPU_MODEL_LENGTH_MAX || /[\p{Cc}]/u.test(name)) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(name),
      allowed: `a GPU model name of 1..${GPU_MODEL_LENGTH_MAX} printable characters, like "H100"`,
    });
  }
  const tokens = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((t) => t.length > 0);
  const kept = tokens.filter((t) => !NOISE_TOKENS.has(t) && !MEMORY_TOKEN.test(t));
  const key = kept.join("");
  if (key.length === 0) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(name),
      allowed: 'a name that names a GPU, like "H100" or "RTX 4090"',
    });
  }
  if (NORMALIZED_CACHE.size >= NORMALIZED_CACHE_MAX) NORMALIZED_CACHE.clear();
  NORMALIZED_CACHE.set(name, key);
  return key;
}

/** Names remembered by normalizeGpuModel; the cache starts over when full. */
export const NORMALIZED_CACHE_MAX = 4096;
const NORMALIZED_CACHE = new Map<string, string>();
