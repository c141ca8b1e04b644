// An order's hard offer filters beside the provider lists: `gpuModels` (any of, by normalized model)
// and `minReputation` (the provider's reputation floor). Validation only; the book compiles them
// (orderbook/query.ts). Pure, no I/O.
import { MarketError, describeValue } from "./errors.js";
import { normalizeGpuModel } from "./gpu-model.js";
import { GPU_MODELS_MAX } from "./limits.js";

/**
 * Checks `requirements.gpuModels`: a list of 1..GPU_MODELS_MAX GPU model names, each one that
 * normalizeGpuModel accepts. Returns the names trimmed, without two of the same normalized model,
 * in first-seen order, frozen.
 * @throws INVALID_FIELD (not a list, empty, too long, a bad model name)
 */
export function parseGpuModels(value: unknown, field = "requirements.gpuModels"): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > GPU_MODELS_MAX) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: Array.isArray(value) ? `a list of ${value.length}` : describeValue(value),
      allowed: `a list of 1..${GPU_MODELS_MAX} GPU model names (any of them matches), like ["H100", "A100"]`,
    });
  }
  const seen = new Set<string>();
  const models: string[] = [];
  (value as unknown[]).forEach((model, i) => {
    const normalized = normalizeGpuModel(model, `${field}[${i}]`);
    if (seen.has(normalized)) return;
    seen.add(normalized);
    models.push((model as string).trim());
  });
  return Object.freeze(models);
}

/** Checks `requirements.minReputation`: a finite number in [0, 1]. @throws OUT_OF_RANGE */
export function parseMinReputation(value: unknown, field = "requirements.minReputation"): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new MarketError("OUT_OF_RANGE", { field, value: describeValue(value), min: "0", max: "1" });
  }
  return value;
}
