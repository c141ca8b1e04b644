// `molt-market quote`: the best matches for an order given by flags, against a market file, as a
// table with each score's breakdown or as JSON. Reads the market file; writes to stdout.
import { parseArgs } from "node:util";
import { Amount } from "../core/amount.js";
import { systemClock } from "../core/clock.js";
import { MarketError } from "../core/errors.js";
import { parseFeature, parsePriority } from "../core/enums.js";
import type { LocationRequirement } from "../core/location.js";
import { createOrder } from "../core/order.js";
import type { OrderMatch } from "../core/types.js";
import { RESULT_LIMIT_DEFAULT } from "../orderbook/order-book.js";
import { explanationText } from "./miss-text.js";
import { SAMPLE_MARKET_URL, loadMarket } from "./market-file.js";
import { renderTable } from "./table.js";

/** Usage of the quote command. */
export const QUOTE_USAGE = `Usage: molt-market quote --gpus N --max-price MOLT --hours H [options]

Prints the best offers for an order, best first, with each score's parts.

Order:
  --gpus N            GPUs wanted (1..1024)                       required
  --max-price MOLT    highest price per GPU-hour, e.g. 15 or 2.5  required
  --hours H           estimated job length in hours (1..8784)     required
  --vram GB           minimum VRAM per GPU (default 0: any)
  --feature NAME      required feature, repeatable: nvlink, infiniband, fp8,
                      hbm (HighBandwidthMemory), dedicated (DedicatedHost)
  --model NAME        GPU model, repeatable: only offers of one of them match
                      (a hard filter; "h100" = "NVIDIA H100 80GB")
  --prefer-model NAME preferred GPU model, repeatable (raises the score only)
  --min-reputation R  only providers with at least this reputation, 0..1 (a hard filter)
  --region NAME       region, e.g. us-east-1
  --country CC        ISO 3166-1 alpha-2 country, e.g. US
  --budget MOLT       highest total cost (price x GPUs x hours)
  --allow-provider ID match only this provider, repeatable (a hard filter)
  --deny-provider ID  never match this provider, repeatable (a hard filter)
  --priority P        Low, Normal, High or Critical
Output:
  --limit N           matches to show (default ${RESULT_LIMIT_DEFAULT}, at most 1000)
  --market FILE       market file (default: the sample market in examples/)
  --json              print JSON instead of a table
`;

function requireFlag(value: string | undefined, flag: string): string {
  if (value === undefined)
    throw new MarketError("INVALID_FIELD", { field: flag, value: "missing", allowed: "give it a value; see molt-market quote --help" });
  return value;
}

function integerFlag(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const text = requireFlag(value, flag);
  if (!/^\d+$/.test(text)) throw new MarketError("INVALID_FIELD", { field: flag, value: JSON.stringify(text), allowed: "a whole number" });
  return Number(text);
}

/** A reputation flag: a decimal number; parseRequirements checks its range. @throws INVALID_FIELD */
export function reputationFlag(text: string, flag = "--min-reputation"): number {
  if (!/^\d+(\.\d+)?$/.test(text))
    throw new MarketError("INVALID_FIELD", { field: flag, value: JSON.stringify(text), allowed: "a number in 0..1" });
  return Number(text);
}

/** Runs `quote` with its arguments; returns the text to print. @throws MarketError for bad flags or market files */
export function runQuote(args: readonly string[]): string {
  const { values } = parseArgs({
    args: [...args],
    options: {
      gpus: { type: "string" },
      vram: { type: "string" },
      "max-price": { type: "string" },
      hours: { type: "string" },
      feature: { type: "string", multiple: true },
      model: { type: "string", multiple: true },
      "prefer-model": { type: "string", multiple: true },
      "min-reputation": { type: "string" },
      region: { type: "string" },
      country: { type: "string" },
      "allow-provider": { type: "string", multiple: true },
      "deny-provider": { type: "string", multiple: true },
      budget: { type: "string" },
      priority: { type: "string" },
      limit: { type: "string" },
      market: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return QUOTE_USAGE;
  const clock = systemClock;
  const location: LocationRequirement | undefined =
    values.region === undefined && values.country === undefined
      ? undefined
      : {
          ...(values.region === undefined ? {} : { region: values.region }),
          ...(values.country === undefined ? {} : { country: values.country }),
        };
  const allow = values["allow-provider"];
  const deny = values["deny-provider"];
  const order = createOrder(
    {
      buyerId: "cli-quote",
      requirements: {
        minGpuCount: integerFlag(values.gpus, "--gpus"),
        minVramGb: integerFlag(values.vram, "--vram", 0),
        maxPricePerHour: Amount.parse(requireFlag(values["max-price"], "--max-price")),
        estimatedHours: integerFlag(values.hours, "--hours"),
        requiredFeatures: (values.feature ?? []).map((f) => parseFeature(f, "--feature")),
        preferredModels: values["prefer-model"] ?? [],
        ...(values.model === undefined ? {} : { gpuModels: values.model }),
        ...(values["min-reputation"] === undefined ? {} : { minReputation: reputationFlag(values["min-reputation"]) }),
        ...(location === undefined ? {} : { location }),
        ...(allow === undefined && deny === undefined
          ? {}
          : { providers: { ...(allow === undefined ? {} : { allow }), ...(deny === undefined ? {} : { deny }) } }),
      },
      ...(values.budget === undefined ? {} : { maxBudget: Amount.parse(values.budget) }),
      ...(values.priority === undefined ? {} : { priority: parsePriority(values.priority) }),
    },
    { clock },
  );
  const book = loadMarket(values.market ?? SAMPLE_MARKET_URL, clock);
  const { matches, explanation } = book.quoteOrder(order, integerFlag(values.limit, "--limit", RESULT_LIMIT_DEFAULT));
  if (values.json)
    return `${JSON.stringify({ order: order.requirements, maxBudget: order.maxBudget, offersInMarket: book.offerCount, matches, explanation }, null, 2)}\n`;
  const text = formatMatches(book.offerCount, matches, (offerId) => book.getOffer(offerId));
  return explanation === undefined ? text : `${text}${explanationText(explanation)}\n`;
}

function formatMatches(
  offerCount: number,
  matches: readonly OrderMatch[],
  offerOf: (id: OrderMatch["offerId"]) => {
    gpuCapacity: { gpuModel: string; gpuCount: number; vramGb: number };
    location?: { region: string };
    freeGpuCount: number;
  },
): string {
  if (matches.length === 0) {
    return `No offer among ${offerCount} satisfies this order. Try a higher --max-price, fewer --gpus, less --vram, fewer --feature flags, or no --region/--country/--model/--min-reputation/--allow-provider/--deny-provider.\n`;
  }
  const rows = matches.map((m, i) => {
    const offer = offerOf(m.offerId);
    const b = m.scoreBreakdown;
    const part = (x: number): string => x.toFixed(3);
    return [
      String(i + 1),
      m.offerId,
      m.providerId,
      offer.gpuCapacity.gpuModel,
      `${offer.freeGpuCount}/${offer.gpuCapacity.gpuCount}`,
      String(offer.gpuCapacity.vramGb),
      offer.location?.region ?? "-",
      m.pricePerHour.toString(),
      m.totalCost.toString(),
      m.score.toFixed(4),
      part(b.priceHeadroom),
      part(b.gpuFit),
      part(b.vramFit),
      part(b.preferredModel),
      part(b.extraFeatures),
      part(b.reputation),
      part(b.utilization),
    ];
  });
  const table = renderTable(
    [
      { header: "#", right: true },
      { header: "offer" },
      { header: "provider" },
      { header: "model" },
      { header: "free/gpus", right: true },
      { header: "vram", right: true },
      { header: "region" },
      { header: "MOLT/gpu-h", right: true },
      { header: "total MOLT", right: true },
      { header: "score", right: true },
      { header: "price", right: true },
      { header: "gpuFit", right: true },
      { header: "vramFit", right: true },
      { header: "pref", right: true },
      { header: "extra", right: true },
      { header: "rep", right: true },
      { header: "util", right: true },
    ],
    rows,
  );
  return `${matches.length} best of ${offerCount} offers (score = price + gpuFit + vramFit + pref + extra + rep + util)\n${table}\n`;
}
