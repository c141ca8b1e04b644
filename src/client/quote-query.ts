// The query string of GET /v1/quote from a quote's terms: lists comma-separated, absent terms left
// out. Pure.

/** What a quote asks for (MarketClient.quote). */
export interface QuoteQuery {
  readonly gpus: number;
  readonly maxPrice: string;
  readonly hours: number;
  readonly vram?: number;
  readonly features?: readonly string[];
  readonly region?: string;
  readonly country?: string;
  /** Hard provider filters: the only providers to match, and providers never matched (addresses). */
  readonly allowProviders?: readonly string[];
  readonly denyProviders?: readonly string[];
  /** Hard filters: only offers of these GPU models (any of), only providers with at least this reputation (0..1). */
  readonly models?: readonly string[];
  readonly minReputation?: number;
  readonly limit?: number;
}

/** The query string of `query`: every given term once, an empty list left out. */
export function quoteParams(query: QuoteQuery): string {
  const params = new URLSearchParams({ gpus: String(query.gpus), maxPrice: query.maxPrice, hours: String(query.hours) });
  if (query.vram !== undefined) params.set("vram", String(query.vram));
  const list = (name: string, values: readonly string[] | undefined): void => {
    if (values !== undefined && values.length > 0) params.set(name, values.join(","));
  };
  list("features", query.features);
  if (query.region !== undefined) params.set("region", query.region);
  if (query.country !== undefined) params.set("country", query.country);
  list("allowProviders", query.allowProviders);
  list("denyProviders", query.denyProviders);
  list("models", query.models);
  if (query.minReputation !== undefined) params.set("minReputation", String(query.minReputation));
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  return params.toString();
}
