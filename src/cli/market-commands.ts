// `molt-market market candles|depth|trades`: the market's price history and the book's depth from a
// server, as tables with a small text chart for people, or one JSON document with --json. Talks HTTP.
import { parseArgs } from "node:util";
import { MarketClient } from "../client/client.js";
import type { CandlesView, DepthView, TradesView } from "../contract/market-history.js";
import { Amount } from "../core/amount.js";
import { MarketError } from "../core/errors.js";
import { DEFAULT_SERVER_URL, serverUrl } from "./defaults.js";
import { renderTable } from "./table.js";

/** Width of the longest bar of a chart, in characters. */
const BAR_WIDTH_MAX = 30;
/** Trades `market trades` shows when --limit is not given. */
const TRADES_SHOWN_DEFAULT = 20;

/** Usage of the market commands. */
export const MARKET_USAGE = `Usage:
  molt-market market candles [--model M] [--interval 1h|1d] [--from ISO] [--to ISO] [--json]
      open/high/low/close MOLT per GPU-hour, GPU-hours and MOLT traded per UTC bucket, and the close as a bar
  molt-market market depth [--model M] [--json]
      free GPUs per price (asks) and GPUs resting orders want per max price (bids), as bars
  molt-market market trades [--model M] [--after SEQ] [--limit N] [--json]
      matches in seq order

Options:
  --model M        one GPU model ("H100", "nvidia a100": normalized); default every model
  --interval I     candle width: 1h (default) or 1d
  --from ISO       first time, ISO 8601 (2026-03-01T00:00:00Z); default 24 intervals before --to
  --to ISO         end time (excluded), ISO 8601; default now
  --after SEQ      trades after this seq (default 0: from the first)
  --limit N        trades to show, 1..500 (default ${TRADES_SHOWN_DEFAULT})
  --server URL     the market server (default $MOLT_SERVER_URL or ${DEFAULT_SERVER_URL})
  --json           one JSON document (the server's answer) instead of text
`;

const OPTIONS = {
  model: { type: "string" },
  interval: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  after: { type: "string" },
  limit: { type: "string" },
  server: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Ms since the epoch of an ISO 8601 time given as `flag`. @throws INVALID_FIELD */
function timeOf(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0)
    throw new MarketError("INVALID_FIELD", {
      field: flag,
      value: JSON.stringify(text),
      allowed: "an ISO 8601 time like 2026-03-01T00:00:00Z",
    });
  return ms;
}

/** A whole number given as `flag`. @throws INVALID_FIELD */
function intOf(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text))
    throw new MarketError("INVALID_FIELD", { field: flag, value: JSON.stringify(text), allowed: "a whole number" });
  return Number(text);
}

/** A bar of `part` / `whole` of BAR_WIDTH_MAX characters, at least one for any part above zero. */
function bar(part: bigint, whole: bigint): string {
  if (whole <= 0n || part <= 0n) return "";
  const width = (part * BigInt(BAR_WIDTH_MAX) + whole - 1n) / whole; // rounded up: a small part still shows
  return "█".repeat(Number(width));
}

/** Candles as a table, each close drawn as a bar over the range of the closes shown. */
function candlesText(view: CandlesView): string {
  const head = `${view.model ?? "every model"}, ${view.interval} candles, ${new Date(view.fromMs).toISOString()} .. ${new Date(view.toMs).toISOString()}`;
  if (view.candles.length === 0) return `${head}\nno trades`;
  const closes = view.candles.map((c) => Amount.parse(c.close).baseUnits);
  const low = closes.reduce((a, b) => (b < a ? b : a));
  const high = closes.reduce((a, b) => (b > a ? b : a));
  const rows = view.candles.map((c, i) => [
    c.start.replace(":00.000Z", "Z"),
    String(c.trades),
    c.open,
    c.high,
    c.low,
    c.close,
    String(c.gpuHours),
    c.molt,
    // The lowest close gets one mark, the highest a full bar.
    high === low ? "█".repeat(BAR_WIDTH_MAX) : `█${bar((closes[i] ?? low) - low, high - low)}`,
  ]);
  const columns = [
    { header: "start (UTC)" },
    { header: "trades", right: true },
    { header: "open", right: true },
    { header: "high", right: true },
    { header: "low", right: true },
    { header: "close", right: true },
    { header: "GPU-h", right: true },
    { header: "MOLT", right: true },
    { header: `close ${Amount.fromBaseUnits(low).toString()}..${Amount.fromBaseUnits(high).toString()}` },
  ];
  return `${head}\n${renderTable(columns, rows)}`;
}

/** Depth as two tables of price levels, GPUs drawn as bars on one scale. */
function depthText(view: DepthView): string {
  const most = BigInt(Math.max(1, ...view.asks.map((l) => l.gpus), ...view.bids.map((l) => l.gpus)));
  const side = (title: string, count: string, levels: DepthView["asks"]): string =>
    levels.length === 0
      ? `${title}: none`
      : `${title}:\n${renderTable(
          [{ header: "MOLT/GPU-h", right: true }, { header: "GPUs", right: true }, { header: count, right: true }, { header: "" }],
          levels.map((l) => [l.price, String(l.gpus), String(l.count), bar(BigInt(l.gpus), most)]),
        )}`;
  return [
    `depth of ${view.model ?? "every model"}${view.partial ? " (partial: the scan stopped at its cap)" : ""}`,
    side("asks (free GPUs by price, cheapest first)", "offers", view.asks),
    side("bids (resting demand by max price, highest first)", "orders", view.bids),
  ].join("\n");
}

/** Trades as a table. */
function tradesText(view: TradesView): string {
  if (view.trades.length === 0) return "no trades";
  const table = renderTable(
    [
      { header: "seq", right: true },
      { header: "time (UTC)" },
      { header: "model" },
      { header: "GPUs", right: true },
      { header: "hours", right: true },
      { header: "MOLT/GPU-h", right: true },
      { header: "MOLT", right: true },
      { header: "order" },
      { header: "provider" },
    ],
    view.trades.map((t) => [
      String(t.seq),
      new Date(t.atMs).toISOString(),
      t.gpuModel,
      String(t.gpuCount),
      String(t.hours),
      t.pricePerHour,
      t.molt,
      t.orderId,
      t.providerId,
    ]),
  );
  return view.next === undefined ? table : `${table}\nmore: --after ${view.next}`;
}

/**
 * Runs `market candles|depth|trades`; resolves to what it prints.
 * @throws INVALID_FIELD (a flag or the subcommand), what the server answers (OUT_OF_RANGE, ...)
 */
export async function runMarketCommand(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const { values, positionals } = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: true });
  const [action] = positionals;
  if (values.help || action === undefined) return MARKET_USAGE;
  const client = new MarketClient({ baseUrl: serverUrl(values.server, env) });
  const model = values.model === undefined ? {} : { model: values.model };
  const print = (view: unknown, text: string): string => (values.json ? `${JSON.stringify(view)}\n` : `${text}\n`);
  if (action === "candles") {
    const interval = values.interval ?? "1h";
    if (interval !== "1h" && interval !== "1d")
      throw new MarketError("INVALID_FIELD", { field: "--interval", value: JSON.stringify(interval), allowed: "1h or 1d" });
    const toMs = timeOf("--to", values.to);
    const fromMs = timeOf("--from", values.from);
    const view = await client.candles({
      ...model,
      interval,
      ...(fromMs === undefined ? {} : { from: fromMs }),
      ...(toMs === undefined ? {} : { to: toMs }),
    });
    return print(view, candlesText(view));
  }
  if (action === "depth") {
    const view = await client.depth(model);
    return print(view, depthText(view));
  }
  if (action === "trades") {
    const after = intOf("--after", values.after);
    const view = await client.trades({
      ...model,
      ...(after === undefined ? {} : { after }),
      limit: intOf("--limit", values.limit) ?? TRADES_SHOWN_DEFAULT,
    });
    return print(view, tradesText(view));
  }
  throw new MarketError("INVALID_FIELD", { field: "market", value: JSON.stringify(action), allowed: "candles, depth or trades" });
}
