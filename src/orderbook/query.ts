// CompiledQuery: an order's requirements resolved against the book's intern tables (region,
// country, preferred and required models and provider filters as indexes) with its price cap, ready for the
// matching rule and the shape index. Pure, no I/O.
import type { Amount } from "../core/amount.js";
import { featureMask } from "../core/enums.js";
import { normalizeGpuModel } from "../core/gpu-model.js";
import type { JobRequirements, ProviderFilter } from "../core/types.js";
import { priceCapOf } from "./matching.js";
import type { OfferTable } from "./offer-table.js";

/** An order's requirements resolved against the book's tables, ready for the index. */
export interface CompiledQuery {
  readonly minGpu: number;
  readonly minVram: number;
  readonly requiredMask: number;
  /** Region index, -1 for any; a region the book never saw matches nothing. */
  readonly region: number;
  /** Country index, -1 for any. */
  readonly country: number;
  readonly estimatedHours: number;
  /** The order's maxPricePerHour in base units, and as a float (Number of it). */
  readonly maxPrice: bigint;
  readonly maxPriceF: number;
  /** Highest acceptable price per GPU-hour in base units (limit, budget and u64 range combined). */
  readonly priceCap: bigint;
  readonly priceCapF: number;
  /** Normalized model indexes the order prefers, without repeats. */
  readonly preferredModels: readonly number[];
  readonly nowMs: number;
  /** Region or country named but unknown to the book, or an allow list of unknown providers only: nothing can match. */
  readonly impossible: boolean;
  /** The order has a provider filter that can reject a known provider; false: providerFits is always true. */
  readonly providerFiltered: boolean;
  /** Interned providers of `providers.allow` the book knows; undefined: any provider. */
  readonly allowedProviders: ReadonlySet<number> | undefined;
  /** Interned providers of `providers.deny` the book knows; undefined: none denied. */
  readonly deniedProviders: ReadonlySet<number> | undefined;
  /**
   * The size of the provider intern table when a listed provider was unknown to it, else -1: once
   * the table has grown past it, a provider the filter names may be known and the query must be
   * compiled again (intern indexes never change, so a query with -1 stays exact).
   */
  readonly unresolvedProvidersAt: number;
  /** Interned normalized models of `gpuModels` the book knows; undefined: any model. */
  readonly allowedModels: ReadonlySet<number> | undefined;
  /** The size of the model intern table when a model of `gpuModels` was unknown to it, else -1 (as unresolvedProvidersAt). */
  readonly unresolvedModelsAt: number;
  /** The order's minReputation (0: any provider). */
  readonly minReputation: number;
}

/** The provider filter of a query, resolved to interned indexes (the fields of CompiledQuery). */
interface CompiledProviders {
  readonly providerFiltered: boolean;
  readonly allowedProviders: ReadonlySet<number> | undefined;
  readonly deniedProviders: ReadonlySet<number> | undefined;
  readonly unresolvedProvidersAt: number;
  /** An allow list none of whose providers the table knows. */
  readonly allowsNone: boolean;
}

/** No filter: shared, so the common case allocates nothing. */
const NO_PROVIDER_FILTER: CompiledProviders = {
  providerFiltered: false,
  allowedProviders: undefined,
  deniedProviders: undefined,
  unresolvedProvidersAt: -1,
  allowsNone: false,
};

/** Interned indexes of the `ids` the table knows (ids it never saw are left out). */
function knownProviders(table: OfferTable, ids: readonly string[]): Set<number> {
  const known = new Set<number>();
  for (const id of ids) {
    const index = table.providers.lookup(id);
    if (index >= 0) known.add(index);
  }
  return known;
}

/** Resolves an order's provider filter against the table's provider intern table. */
function compileProviders(table: OfferTable, filter: ProviderFilter | undefined): CompiledProviders {
  if (filter === undefined) return NO_PROVIDER_FILTER;
  const allow = filter.allow === undefined ? undefined : knownProviders(table, filter.allow);
  const deny = filter.deny === undefined ? undefined : knownProviders(table, filter.deny);
  const unknown = (filter.allow?.length ?? 0) - (allow?.size ?? 0) + (filter.deny?.length ?? 0) - (deny?.size ?? 0);
  const denied = deny === undefined || deny.size === 0 ? undefined : deny;
  return {
    // A deny of providers the book never saw costs nothing: no offer of theirs can be asked.
    providerFiltered: allow !== undefined || denied !== undefined,
    allowedProviders: allow,
    deniedProviders: denied,
    unresolvedProvidersAt: unknown > 0 ? table.providers.size : -1,
    allowsNone: allow !== undefined && allow.size === 0,
  };
}

/** Interned indexes of the normalized `models` the table knows, and whether one was unknown. */
function compileModels(table: OfferTable, models: readonly string[] | undefined): { allowed: Set<number> | undefined; unknown: boolean } {
  if (models === undefined) return { allowed: undefined, unknown: false };
  const allowed = new Set<number>();
  let unknown = false;
  for (const model of models) {
    const index = table.models.lookup(normalizeGpuModel(model));
    if (index >= 0) allowed.add(index);
    else unknown = true;
  }
  return { allowed, unknown };
}

/**
 * Compiles validated requirements against the table's intern tables at `nowMs`.
 * Invariant: a known region, country or provider keeps its index for the table's life (intern
 * tables only grow), so only an `impossible` query, or one with `unresolvedProvidersAt` below the
 * provider table's size, can change when compiled again later (needsRecompile).
 */
export function compileQuery(
  table: OfferTable,
  requirements: JobRequirements,
  maxBudget: Amount | undefined,
  nowMs: number,
): CompiledQuery {
  const wantedRegion = requirements.location?.region;
  const wantedCountry = requirements.location?.country;
  // -1: any. A region or country the book never saw matches nothing.
  const region = wantedRegion === undefined ? -1 : table.regions.lookup(wantedRegion);
  const country = wantedCountry === undefined ? -1 : table.countries.lookup(wantedCountry);
  const preferredModels: number[] = [];
  for (const model of requirements.preferredModels) {
    const index = table.models.lookup(normalizeGpuModel(model));
    if (index >= 0 && !preferredModels.includes(index)) preferredModels.push(index);
  }
  const priceCap = priceCapOf(requirements, maxBudget);
  const providers = compileProviders(table, requirements.providers);
  const models = compileModels(table, requirements.gpuModels);
  return {
    minGpu: requirements.minGpuCount,
    minVram: requirements.minVramGb,
    requiredMask: featureMask(requirements.requiredFeatures),
    region,
    country,
    estimatedHours: requirements.estimatedHours,
    maxPrice: requirements.maxPricePerHour.baseUnits,
    maxPriceF: Number(requirements.maxPricePerHour.baseUnits),
    priceCap,
    priceCapF: Number(priceCap),
    preferredModels,
    nowMs,
    impossible:
      (wantedRegion !== undefined && region < 0) ||
      (wantedCountry !== undefined && country < 0) ||
      providers.allowsNone ||
      models.allowed?.size === 0,
    providerFiltered: providers.providerFiltered,
    allowedProviders: providers.allowedProviders,
    deniedProviders: providers.deniedProviders,
    unresolvedProvidersAt: providers.unresolvedProvidersAt,
    allowedModels: models.allowed,
    unresolvedModelsAt: models.unknown ? table.models.size : -1,
    minReputation: requirements.minReputation ?? 0,
  };
}

/**
 * Must `query`, compiled earlier against `table`, be compiled again before it is trusted now: it
 * named a region, country, provider or GPU model the table did not know then and may know now.
 */
export function needsRecompile(table: OfferTable, query: CompiledQuery): boolean {
  return (
    query.impossible ||
    (query.unresolvedProvidersAt >= 0 && query.unresolvedProvidersAt < table.providers.size) ||
    (query.unresolvedModelsAt >= 0 && query.unresolvedModelsAt < table.models.size)
  );
}
