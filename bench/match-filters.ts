// bench:match's hard-filter rows: the same orders with and without hard filters on the same book,
// timed alternately in one process, and allow lists of a few providers (the per-provider walk).
import { createOrder, parseRequirements } from "../src/core/order.js";
import type { JobOrder, JobRequirements } from "../src/core/types.js";
import type { OrderBook } from "../src/orderbook/order-book.js";
import { MODEL_PROFILES, seededRandom } from "../test/support/sample-market.js";
import { nowNs, percentile } from "./report.js";

/** One kind of filtered query against its unfiltered twin: latency of each and their ratio. */
export interface FilterRow {
  offers: number;
  filters: string;
  plainP50Us: number;
  plainP99Us: number;
  filteredP50Us: number;
  filteredP99Us: number;
  /** filtered / plain: 1.10 is 10 % slower. */
  p50Ratio: number;
  p99Ratio: number;
}

/** The order with other requirements (same id, buyer, times and budget). */
function withRequirements(order: JobOrder, extra: Partial<JobRequirements>): JobOrder {
  return createOrder({
    id: order.id,
    buyerId: order.buyerId,
    requirements: { ...order.requirements, ...extra },
    ...(order.maxBudget === undefined ? {} : { maxBudget: order.maxBudget }),
    createdAt: order.createdAt,
    expiresAt: order.expiresAt,
    priority: order.priority,
  });
}

/** Times `plain[i]` and `filtered[i]` alternately with bestOffers (10 results), after a warm-up of both. */
function timePairs(book: OrderBook, plain: readonly JobOrder[], filtered: readonly JobOrder[]): [Float64Array, Float64Array] {
  for (let i = 0; i < Math.min(1000, plain.length); i++) {
    book.bestOffers((plain[i] as JobOrder).requirements, 10);
    book.bestOffers((filtered[i] as JobOrder).requirements, 10);
  }
  const plainSamples = new Float64Array(plain.length);
  const filteredSamples = new Float64Array(plain.length);
  for (let i = 0; i < plain.length; i++) {
    const a = (plain[i] as JobOrder).requirements;
    const b = (filtered[i] as JobOrder).requirements;
    let start = nowNs();
    book.bestOffers(a, 10);
    plainSamples[i] = Number(nowNs() - start) / 1000;
    start = nowNs();
    book.bestOffers(b, 10);
    filteredSamples[i] = Number(nowNs() - start) / 1000;
  }
  return [plainSamples, filteredSamples];
}

function rowOf(offers: number, filters: string, [plain, filtered]: [Float64Array, Float64Array]): FilterRow {
  const row: FilterRow = {
    offers,
    filters,
    plainP50Us: percentile(plain, 50),
    plainP99Us: percentile(plain, 99),
    filteredP50Us: percentile(filtered, 50),
    filteredP99Us: percentile(filtered, 99),
    p50Ratio: 0,
    p99Ratio: 0,
  };
  row.p50Ratio = row.filteredP50Us / row.plainP50Us;
  row.p99Ratio = row.filteredP99Us / row.plainP99Us;
  return row;
}

/**
 * The hard-filter rows of one book size: every filter on but passing every offer (the filters' own
 * cost: all models on offer, a reputation floor below every provider's, a deny of one provider),
 * a narrowing model + reputation filter (the order's own model, when it prefers one), and an allow
 * list of 3 providers. `providers` is how many providers the book's offers spread over.
 */
export function filterRows(book: OrderBook, orders: readonly JobOrder[], size: number, providers: number): FilterRow[] {
  const random = seededRandom(size + 99);
  const provider = (): string =>
    `provider-${Math.floor(random() * providers)
      .toString()
      .padStart(5, "0")}`;
  const allModels = MODEL_PROFILES.map((profile) => profile.name);
  const neutral = orders.map((order) =>
    withRequirements(order, { gpuModels: allModels, minReputation: 0.25, providers: { deny: [provider()] } }),
  );
  const narrowing = orders.map((order) =>
    withRequirements(order, {
      gpuModels: order.requirements.preferredModels.length > 0 ? order.requirements.preferredModels : allModels.slice(0, 3),
      minReputation: 0.5,
    }),
  );
  const allowed = orders.map((order) => withRequirements(order, { providers: { allow: [provider(), provider(), provider()] } }));
  return [
    rowOf(size, "every filter, passing every offer", timePairs(book, orders, neutral)),
    rowOf(size, "gpuModels (own model) + minReputation 0.5", timePairs(book, orders, narrowing)),
    rowOf(size, "allow list of 3 providers", timePairs(book, orders, allowed)),
  ];
}

/** Time of explaining a miss (OrderBook.explainMiss: one bounded pass over the book), per kind of miss. */
export interface MissRow {
  offers: number;
  miss: string;
  constraint: string;
  p50Ms: number;
  p99Ms: number;
}

/** Times explainMiss for three kinds of miss (a model not on offer, too many GPUs, too low a price), 40 times each. */
export function missRows(book: OrderBook, size: number): MissRow[] {
  const base = { minGpuCount: 1, maxPricePerHour: "5", estimatedHours: 4 };
  const kinds: [string, Record<string, unknown>][] = [
    ["model not on offer", { gpuModels: ["RTX 6000"] }],
    ["1024 GPUs", { minGpuCount: 1024 }],
    ["price 0.0001", { maxPricePerHour: "0.0001" }],
  ];
  return kinds.map(([miss, extra]) => {
    const requirements = parseRequirements({ ...base, ...extra });
    const samples = new Float64Array(40);
    let constraint = "";
    for (let i = 0; i < samples.length; i++) {
      const start = nowNs();
      constraint = book.explainMiss(requirements)?.constraint ?? "(matched)";
      samples[i] = Number(nowNs() - start) / 1e6;
    }
    return { offers: size, miss, constraint, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) };
  });
}
