// The quote form's fields (text as typed) and what they become: the GET /v1/quote query and the
// order a buyer submits with the same requirements. Pure.
import { parseFeature } from "../../../src/core/enums.js";
import type { OrderRequest } from "../../../src/contract/orders.js";

/** The quote form's fields. */
export interface QuoteFields {
  readonly gpus: string;
  readonly vram: string;
  readonly hours: string;
  readonly maxPrice: string;
  /** Comma-separated GPU models (a hard filter). */
  readonly models: string;
  /** Comma-separated features (all required). */
  readonly features: string;
  readonly region: string;
}

/** The form as it opens. */
export const DEFAULT_QUOTE: QuoteFields = { gpus: "1", vram: "0", hours: "1", maxPrice: "5", models: "", features: "", region: "" };

function list(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** The GET /v1/quote query of the fields (empty fields left out). */
export function quoteQuery(fields: QuoteFields, limit: number): Record<string, string | number | undefined> {
  return {
    gpus: fields.gpus.trim(),
    vram: fields.vram.trim() === "0" ? undefined : fields.vram.trim(),
    hours: fields.hours.trim(),
    maxPrice: fields.maxPrice.trim(),
    models: list(fields.models).join(","),
    features: list(fields.features).join(","),
    region: fields.region.trim(),
    limit,
  };
}

/** The order a buyer submits with the fields' requirements (numbers the server checks again). @throws INVALID_FIELD (an unknown feature) */
export function orderOf(fields: QuoteFields): OrderRequest {
  const models = list(fields.models);
  const features = list(fields.features).map((feature) => parseFeature(feature, "features"));
  const region = fields.region.trim();
  return {
    requirements: {
      minGpuCount: Number(fields.gpus),
      minVramGb: Number(fields.vram === "" ? "0" : fields.vram),
      maxPricePerHour: fields.maxPrice.trim(),
      estimatedHours: Number(fields.hours),
      ...(models.length === 0 ? {} : { gpuModels: models }),
      ...(features.length === 0 ? {} : { requiredFeatures: features }),
      ...(region === "" ? {} : { location: { region } }),
    },
  };
}
