import { ManualClock } from "../src/core/clock.js";
import { OrderBook } from "../src/orderbook/order-book.js";
import { generateOffers, generateOrders } from "../src/orderbook/sample-market.js";
import { nowNs } from "./report.js";
const NOW_MS = Date.parse("2026-11-23T00:00:00Z");
const book = new OrderBook({ clock: new ManualClock(NOW_MS) });
for (let c = 0; c < 100; c++) for (const o of generateOffers({ seed: 1000000 + c, offers: 10000, nowMs: NOW_MS, providers: 50000 })) book.addOffer(o);
const orders = generateOrders({ seed: 7, orders: 12000, nowMs: NOW_MS });
for (const o of orders.slice(0, 2000)) book.bestOffers(o.requirements, 10);
const rows: { us: number; c: Record<string, number>; o: (typeof orders)[number] }[] = [];
const g = globalThis as unknown as { __c: Record<string, number> };
for (const o of orders.slice(2000)) {
  g.__c = { cand: 0, iter: 0, expand: 0, feas: 0, list: 0 };
  const s = nowNs();
  book.bestOffers(o.requirements, 10);
  rows.push({ us: Number(nowNs() - s) / 1000, c: { ...g.__c }, o });
}
rows.sort((a, b) => b.us - a.us);
for (const r of rows.slice(80, 130).filter((_, i) => i % 3 === 0)) {
  const q = r.o.requirements;
  console.log(r.us.toFixed(1), JSON.stringify(r.c), q.minGpuCount, q.minVramGb, q.maxPricePerHour.toString(), q.estimatedHours, q.requiredFeatures.join("+"), JSON.stringify(q.location ?? {}), q.preferredModels.join(","));
}
const avg = (k: string) => rows.reduce((a, r) => a + (r.c[k] ?? 0), 0) / rows.length;
console.log("avg", ["cand", "iter", "expand", "feas", "list"].map((k) => `${k}=${avg(k).toFixed(1)}`).join(" "), "p99", rows[99]?.us, "p50", rows[5000]?.us);
