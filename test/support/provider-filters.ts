// fast-check arbitraries for orders' hard provider filters (requirements.providers): allow and deny
// lists drawn from the providers the generated books hold plus some no book knows yet, never one
// id in both lists, and the order builder that puts a filter on an order spec.
import fc from "fast-check";
import type { Clock } from "../../src/core/clock.js";
import { createOrder } from "../../src/core/order.js";
import type { JobOrder, ProviderFilter } from "../../src/core/types.js";
import { PROVIDERS, orderFrom } from "./arbitraries.js";
import type { OrderSpec } from "./arbitraries.js";

/** Providers no generated offer has, unless a test adds offers of theirs later (LATE_PROVIDER). */
const UNKNOWN_PROVIDERS = ["p-late", "p-never"] as const;
/** The unknown provider tests may let offer later, so a filter compiled before must learn it. */
export const LATE_PROVIDER = UNKNOWN_PROVIDERS[0];

const FILTER_IDS = [...PROVIDERS, ...UNKNOWN_PROVIDERS];

/** No filter (most often), an allow list, a deny list, or both (disjoint). */
export const providerFilterSpec: fc.Arbitrary<ProviderFilter | undefined> = fc.oneof(
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

/** The order of `spec` (arbitraries.ts orderFrom) with the provider filter `filter`, at the clock's now. */
export function filteredOrderFrom(spec: OrderSpec, filter: ProviderFilter | undefined, clock: Clock): JobOrder {
  const base = orderFrom(spec, clock);
  if (filter === undefined) return base;
  return createOrder(
    {
      buyerId: base.buyerId,
      requirements: { ...base.requirements, providers: filter },
      ...(base.maxBudget === undefined ? {} : { maxBudget: base.maxBudget }),
      priority: base.priority,
      createdAt: base.createdAt,
      expiresAt: base.expiresAt,
    },
    { clock },
  );
}
