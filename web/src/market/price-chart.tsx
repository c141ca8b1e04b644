// The price chart of one GPU model: each bucket's close, low and high per GPU-hour (GET
// /v1/market/candles, last 24 hours), drawn by uPlot. Numbers here are for display only.
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { CandlesView } from "../../../src/contract/market-history.js";

/** Buckets drawn at most (the route answers at most 1000). */
const CHART_BUCKETS_MAX = 1000;
/** The chart's height in CSS pixels. */
const CHART_HEIGHT_PX = 240;

/** One hour or one day in ms, by the candles' interval. */
function bucketMs(view: CandlesView): number {
  return view.interval === "1d" ? 86_400_000 : 3_600_000;
}

/** Every bucket of the window on the x axis (so the axis spans the whole window), a gap where nothing traded. */
function chartData(view: CandlesView): uPlot.AlignedData {
  const byStart = new Map(view.candles.filter((candle) => candle.trades > 0).map((candle) => [candle.startMs, candle]));
  const step = bucketMs(view);
  const starts: number[] = [];
  for (let at = view.fromMs - (view.fromMs % step); at < view.toMs && starts.length < CHART_BUCKETS_MAX; at += step) starts.push(at);
  const series = (pick: (candle: CandlesView["candles"][number]) => string): (number | null)[] =>
    starts.map((at) => {
      const candle = byStart.get(at);
      return candle === undefined ? null : Number(pick(candle));
    });
  return [starts.map((at) => at / 1000), series((c) => c.close), series((c) => c.low), series((c) => c.high)];
}

/** The chart, sized to its container (redrawn on resize). */
export function PriceChart(props: { readonly candles: CandlesView }): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const data = chartData(props.candles);
  const trades = props.candles.candles.reduce((n, candle) => n + candle.trades, 0);
  const empty = trades === 0;

  useEffect(() => {
    const element = box.current;
    if (element === null || empty) return undefined;
    const stroke = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#1d5fd6";
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 280),
        height: CHART_HEIGHT_PX,
        series: [
          {},
          { label: "close", stroke, width: 2, points: { show: true } },
          { label: "low", stroke: "#8a8f99", dash: [4, 4] },
          { label: "high", stroke: "#c0772b", dash: [4, 4] },
        ],
        axes: [{}, { label: "MOLT / GPU-hour", size: 60 }],
        scales: { x: { time: true } },
      },
      data,
      element,
    );
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(element.clientWidth, 280), height: CHART_HEIGHT_PX });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [props.candles, empty]);

  if (empty) return <p class="muted">No trades of {props.candles.model ?? "any model"} in the last 24 hours: no price history yet.</p>;
  return (
    <figure style={{ margin: 0 }}>
      <div ref={box} class="chart" role="img" aria-label={`Price per GPU-hour of ${props.candles.model ?? "all models"}, hourly`} />
      <figcaption class="muted">
        {trades} {trades === 1 ? "trade" : "trades"}, {props.candles.interval === "1d" ? "daily" : "hourly"} buckets (UTC), MOLT per
        GPU-hour.
      </figcaption>
    </figure>
  );
}
