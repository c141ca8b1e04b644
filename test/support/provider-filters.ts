// fast-check arbitraries for orders' hard filters: provider allow and deny lists (requirements.providers)
// drawn from the providers the generated books hold plus some no book knows yet, never one id in
// both lists; GPU models (requirements.gpuModels) in other spellings than the offers' plus one no
// book holds; a minimum reputation; and the order builder that puts the filters on an order spec.
import fc from "fast-check";
import type { Clock } from "../../src/core/clock.js";
import { createOrder } from "../../src/core/order.js";
import type { JobOrder, JobRequirements, ProviderFilter } from "../../src/core/types.js";
import { PROVIDERS, orderFrom } from "./arbitraries.js";
import type { OrderSpec } from "./arbitraries.js";

/** Providers no generated offer has, unless a test adds offers of theirs later (LATE_PROVIDER). */
const UNKNOWN_PROVIDERS = ["p-late", "p-never"] as const;
/** The unknown provider tests may let offer later, so a filter compiled before must learn it. */
export const LATE_PROVIDER = UNKNOWN_PROVIDERS[0];

const FILTER_IDS = [...PROVIDERS, ...UNKNOWN_PROVIDERS];

/** No filter (most often), an allow list, a deny list, or both (disjoint). */
const providerFilterSpec: fc.Arbitrary<ProviderFilter | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        allow: fc.option(fc.subarray(FILTER_IDS, { minLength: 1, maxLength: 3 }), { nil: undefined }),
        deny: fc.option(fc.subarray(FILTER_IDS, { minLength: 0, maxLength: 3 }), { nil: undefined }),
      })
      .map(({ allow, deny }): ProviderFilter => {
        const denied = deny?.filter((id) => allow?.includes(id) !== true);
        return { ...(allow === undefined ? {} : { allow }), ...(denied === undefined ? {} : { deny: denied }) };
      }),
  },
);

/** The hard filters of an order: any of providers, gpuModels and minReputation. */
export type HardFilters = Pick<JobRequirements, "providers" | "gpuModels" | "minReputation">;

/** Model names as buyers write them: the generated offers' models in other spellings, and one no generated book holds. */
const FILTER_MODELS = ["h100", "NVIDIA A100 40GB", "rtx4090", "L40S", "RTX 5090"] as const;

/** Often no model filter, else one to three models (any of). */
const gpuModelsSpec: fc.Arbitrary<readonly string[] | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.subarray([...FILTER_MODELS], { minLength: 1, maxLength: 3 }) },
);

/** Often no reputation floor, else one around the default reputation (0.5) and the extremes. */
const minReputationSpec: fc.Arbitrary<number | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.oneof(fc.constantFrom(0, 0.5, 0.51, 1), fc.double({ min: 0, max: 1, noNaN: true })) },
);

/** Every hard filter, each often absent, together. */
export const hardFilterSpec: fc.Arbitrary<HardFilters> = fc
  .record({ providers: providerFilterSpec, gpuModels: gpuModelsSpec, minReputation: minReputationSpec })
  .map(({ providers, gpuModels, minReputation }) => ({
    ...(providers === undefined ? {} : { providers }),
    ...(gpuModels === undefined ? {} : { gpuModels }),
    ...(minReputation === undefined ? {} : { minReputation }),
  }));

/** The order of `spec` (arbitraries.ts orderFrom) with the hard filters `filters`, at the clock's now. */
export function filteredOrderFrom(spec: OrderSpec, filters: HardFilters | undefined, clock: Clock): JobOrder {
  const base = orderFrom(spec, clock);
  if (filters === undefined || Object.keys(filters).length === 0) return base;
  return createOrder(
    {
      buyerId: base.buyerId,
      requirements: { ...base.requirements, ...filters },
      ...(base.maxBudget === undefined ? {} : { maxBudget: base.maxBudget }),
      priority: base.priority,
      createdAt: base.createdAt,
      expiresAt: base.expiresAt,
    },
    { clock },
  );
}
