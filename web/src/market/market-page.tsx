// The Market page: per GPU model the free GPUs and prices, the selected model's price chart and
// depth, and the live tape of the market's events.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { StatsView } from "../../../src/contract/market-data.js";
import type { CandlesView, DepthView } from "../../../src/contract/market-history.js";
import { queryString } from "../api.js";
import { useRead } from "../use-read.js";
import { DepthTable } from "./depth-table.js";
import { LiveTape } from "./live-tape.js";
import { ModelTable } from "./model-table.js";
import { PriceChart } from "./price-chart.js";

/** How often the stats refresh. */
const STATS_REFRESH_MS = 15_000;

/** The market at a glance. */
export function MarketPage(): JSX.Element {
  const stats = useRead<StatsView>("/v1/stats", STATS_REFRESH_MS);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const model = chosen ?? stats.data?.models[0]?.gpuModel;
  const query = queryString({ model });
  const candles = useRead<CandlesView>(model === undefined ? undefined : `/v1/market/candles${query}`);
  const depth = useRead<DepthView>(model === undefined ? undefined : `/v1/market/depth${query}`, STATS_REFRESH_MS);

  return (
    <div class="stack">
      <h1>Market</h1>
      <section class="card" aria-labelledby="models-title">
        <h2 id="models-title">GPU models</h2>
        {stats.error !== undefined ? (
          <p role="alert" class="alert">
            {stats.error}
          </p>
        ) : null}
        {stats.data === undefined ? <p class="muted">Loading…</p> : <ModelTable stats={stats.data} selected={model} onSelect={setChosen} />}
      </section>
      <div class="grid">
        <section class="card" aria-labelledby="chart-title">
          <h2 id="chart-title">Price of {model ?? "…"}</h2>
          {candles.error !== undefined ? <p class="alert">{candles.error}</p> : null}
          {candles.data === undefined ? <p class="muted">Loading…</p> : <PriceChart candles={candles.data} />}
        </section>
        <section class="card" aria-labelledby="depth-title">
          <h2 id="depth-title">Depth of {model ?? "…"}</h2>
          {depth.error !== undefined ? <p class="alert">{depth.error}</p> : null}
          {depth.data === undefined ? <p class="muted">Loading…</p> : <DepthTable depth={depth.data} />}
        </section>
      </div>
      <LiveTape />
    </div>
  );
}
