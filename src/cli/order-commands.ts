// `molt-market order submit|cancel|show|quote|list` and `job list`: a buyer's orders and the
// wallet's jobs through MarketClient, with the next step and its deadline for people, or the
// server's answer with --json. Talks HTTP; reads the workload file.
import type { MarketClient } from "../client/client.js";
import type { Wallet } from "../chain/wallet.js";
import { nextStepOf } from "../contract/next-step.js";
import { ORDER_PAGE_MAX } from "../contract/order-list.js";
import type { OrderRequest } from "../contract/orders.js";
import { parseAddress } from "../core/address.js";
import { OrderStatus, parseFeature } from "../core/enums.js";
import { MarketError } from "../core/errors.js";
import { feeText } from "./job-text.js";
import { explanationText } from "./miss-text.js";
import { readWorkload } from "./order-flags.js";
import { jobListText, orderListText, orderShowText } from "./order-text.js";
import { requiredFlag, wholeNumberFlag } from "./process.js";
import { reputationFlag } from "./quote.js";

/** The flags the order commands read. */
export interface OrderOptions {
  readonly key?: string | undefined;
  readonly gpus?: string | undefined;
  readonly vram?: string | undefined;
  readonly "max-price"?: string | undefined;
  readonly hours?: string | undefined;
  readonly budget?: string | undefined;
  readonly feature?: readonly string[] | undefined;
  readonly region?: string | undefined;
  readonly country?: string | undefined;
  readonly model?: readonly string[] | undefined;
  readonly "min-reputation"?: string | undefined;
  readonly "allow-provider"?: readonly string[] | undefined;
  readonly "deny-provider"?: readonly string[] | undefined;
  readonly workload?: string | undefined;
  readonly rematch?: boolean | undefined;
  readonly status?: string | undefined;
  readonly limit?: string | undefined;
}

/** What the order commands get from the CLI around them. */
export interface OrderContext {
  readonly client: (signed: boolean) => MarketClient;
  readonly wallet: () => Wallet;
  /** The wallet's address when its file is there (a read shows the next step for it), else undefined. */
  readonly viewer: () => string | undefined;
  readonly print: (value: unknown, text: string) => string;
  readonly options: OrderOptions;
  readonly nowMs: () => number;
}

const STATUSES: readonly string[] = Object.values(OrderStatus);

/** A --status flag: statuses separated by commas, any case. @throws INVALID_FIELD (an unknown status) */
function statusFlag(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text.split(",").map((given) => {
    const status = STATUSES.find((s) => s.toLowerCase() === given.trim().toLowerCase());
    if (status === undefined)
      throw new MarketError("INVALID_FIELD", {
        field: "--status",
        value: JSON.stringify(given),
        allowed: `statuses separated by commas, of ${STATUSES.join(", ")}`,
      });
    return status;
  });
}

/** A --limit flag of one page, 1..ORDER_PAGE_MAX (default ORDER_PAGE_MAX). @throws INVALID_FIELD, OUT_OF_RANGE */
function limitFlag(text: string | undefined): number {
  const limit = text === undefined ? ORDER_PAGE_MAX : wholeNumberFlag(text, "--limit", "20");
  if (limit < 1 || limit > ORDER_PAGE_MAX)
    throw new MarketError("OUT_OF_RANGE", { field: "--limit", value: String(limit), min: "1", max: String(ORDER_PAGE_MAX) });
  return limit;
}

/** The order's requirements from the flags. @throws INVALID_FIELD (missing or malformed flags), INVALID_ADDRESS */
function requirementsOf(o: OrderOptions): OrderRequest["requirements"] {
  const features = (o.feature ?? []).map((feature) => parseFeature(feature, "--feature"));
  const allow = o["allow-provider"] ?? [];
  const deny = o["deny-provider"] ?? [];
  return {
    minGpuCount: wholeNumberFlag(o.gpus, "--gpus", "4"),
    minVramGb: o.vram === undefined ? 0 : wholeNumberFlag(o.vram, "--vram", "80"),
    maxPricePerHour: requiredFlag(o["max-price"], "--max-price", "2.5"),
    estimatedHours: wholeNumberFlag(o.hours, "--hours", "8"),
    ...(features.length === 0 ? {} : { requiredFeatures: features }),
    ...(o.region === undefined && o.country === undefined
      ? {}
      : {
          location: { ...(o.region === undefined ? {} : { region: o.region }), ...(o.country === undefined ? {} : { country: o.country }) },
        }),
    ...(allow.length === 0 && deny.length === 0
      ? {}
      : {
          providers: {
            ...(allow.length === 0 ? {} : { allow: allow.map((a) => parseAddress(a)) }),
            ...(deny.length === 0 ? {} : { deny: deny.map((a) => parseAddress(a)) }),
          },
        }),
    ...(o.model === undefined ? {} : { gpuModels: [...o.model] }),
    ...(o["min-reputation"] === undefined ? {} : { minReputation: reputationFlag(o["min-reputation"]) }),
  };
}

/** `order submit`: the order, its match or why it rests, and the next step with its deadline. */
async function submit(ctx: OrderContext): Promise<string> {
  const o = ctx.options;
  const client = ctx.client(true);
  const result = await client.submitOrder(
    {
      requirements: requirementsOf(o),
      ...(o.budget === undefined ? {} : { maxBudget: o.budget }),
      ...(o.workload === undefined ? {} : { workload: readWorkload(o.workload) }),
      ...(o.rematch === true ? { rematch: true } : {}),
    },
    o.key,
  );
  const matched =
    result.match === undefined
      ? `resting until an offer fits${result.explanation === undefined ? "" : `\n${explanationText(result.explanation)}`}`
      : `matched offer ${result.match.offerId} (${result.match.gpuCount} GPUs at ${result.match.pricePerHour} MOLT/GPU-h, total ${result.match.totalCost} MOLT, ${feeText(result.match)})`;
  const order = await client.getOrder(result.orderId);
  const next = nextStepOf(order, ctx.wallet().address, ctx.nowMs());
  return ctx.print(result, `order ${result.orderId}: ${result.status}, ${matched}\nnext: ${next.text}`);
}

/** `order quote`: the ranked matches an order would get now, or why none fits. */
async function quote(ctx: OrderContext): Promise<string> {
  const o = ctx.options;
  const r = requirementsOf(o);
  const result = await ctx.client(false).quote({
    gpus: r.minGpuCount,
    vram: r.minVramGb,
    maxPrice: r.maxPricePerHour,
    hours: r.estimatedHours,
    features: r.requiredFeatures ?? [],
    ...(r.location?.region === undefined ? {} : { region: r.location.region }),
    ...(r.location?.country === undefined ? {} : { country: r.location.country }),
    ...(r.providers?.allow === undefined ? {} : { allowProviders: r.providers.allow }),
    ...(r.providers?.deny === undefined ? {} : { denyProviders: r.providers.deny }),
    ...(r.gpuModels === undefined ? {} : { models: r.gpuModels }),
    ...(r.minReputation === undefined ? {} : { minReputation: r.minReputation }),
  });
  return ctx.print(
    result,
    result.matches.length === 0
      ? `no offer fits${result.explanation === undefined ? "" : `\n${explanationText(result.explanation)}`}`
      : result.matches
          .map(
            (m, i) =>
              `${i + 1}. ${m.offerId}  ${m.pricePerHour} MOLT/GPU-h  total ${m.totalCost} MOLT (${feeText(m)})  score ${m.score.toFixed(3)}`,
          )
          .join("\n"),
  );
}

/**
 * Runs `order submit|cancel|show|quote|list` or `job list`; resolves to what it prints, or undefined
 * when `command action` is none of them. @throws MarketError (the server's, or bad flags)
 */
export async function runOrderCommand(
  ctx: OrderContext,
  command: string,
  action: string,
  target: string | undefined,
): Promise<string | undefined> {
  const o = ctx.options;
  if (command === "job" && action === "list") {
    const me = ctx.wallet().address;
    const status = statusFlag(o.status);
    const limit = limitFlag(o.limit);
    const client = ctx.client(false);
    const [asProvider, asBuyer] = await Promise.all([
      client.listOrders({ provider: me, limit, ...(status === undefined ? {} : { status }) }),
      client.listOrders({ buyer: me, limit, ...(status === undefined ? {} : { status }) }),
    ]);
    const jobs = [
      ...asProvider.orders.map((order) => ({ role: "provider" as const, order })),
      ...asBuyer.orders.filter((order) => order.match !== null).map((order) => ({ role: "buyer" as const, order })),
    ];
    return ctx.print(
      { asProvider: asProvider.orders, asBuyer: asBuyer.orders.filter((order) => order.match !== null) },
      jobListText(jobs, me, ctx.nowMs()),
    );
  }
  if (command !== "order") return undefined;
  if (action === "submit") return submit(ctx);
  if (action === "quote") return quote(ctx);
  if (action === "cancel") {
    const result = await ctx.client(true).cancelOrder(requiredFlag(target, "ORDER_ID"), o.key);
    return ctx.print(result, `order ${result.orderId}: cancelled`);
  }
  if (action === "show") {
    const order = await ctx.client(false).getOrder(requiredFlag(target, "ORDER_ID"));
    return ctx.print(order, orderShowText(order, ctx.viewer(), ctx.nowMs()));
  }
  if (action === "list") {
    const me = ctx.wallet().address;
    const status = statusFlag(o.status);
    const page = await ctx.client(false).listOrders({ buyer: me, limit: limitFlag(o.limit), ...(status === undefined ? {} : { status }) });
    const more = page.next === null ? "" : `\n(the newest ${page.orders.length} shown; narrow with --status)`;
    return ctx.print(page, `${orderListText(page.orders, me, ctx.nowMs())}${more}`);
  }
  return undefined;
}
