// The dashboard's pages in Debian's chromium against a real server (SQLite + embedded chain):
// Market, Offers (filter, and a quote submitted by keyboard showing ranked matches with the total
// including the fee), My account (a Wallet Standard wallet connects), an order page; each with no
// console error, at 1280 and 390 px wide, with a screenshot kept in test-artifacts/screenshots.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { VIEWPORTS, describeWithChromium, ensureDashboardBuilt, launchChromium, screenshot, watchedPage } from "./support/browser.js";
import type { WatchedPage } from "./support/browser.js";
import { savedKeypair } from "./support/keypairs.js";
import { testWalletInitScript } from "./support/test-wallet.js";

let served: ServedMarket;
let browser: Browser;
let orderId: string;

/** Loads `path`, waits for `ready`, checks the page fits `width` with no console error, and screenshots it. */
async function visit(watched: WatchedPage, path: string, ready: string, name: string, width: number): Promise<void> {
  await watched.page.goto(`${served.baseUrl}${path}`);
  await watched.page
    .getByText(ready, { exact: false })
    .first()
    .waitFor()
    .catch((e: unknown) => {
      throw new Error(`${path} never showed "${ready}"; page errors: ${watched.errors.join(" | ") || "none"}`, { cause: e });
    });
  const overflow = await watched.page.evaluate<number>("document.documentElement.scrollWidth");
  expect(overflow, `${path} at ${width}px`).toBeLessThanOrEqual(width);
  await screenshot(watched.page, name);
  expect(watched.errors, `${path}: console errors`).toEqual([]);
}

describeWithChromium("dashboard pages in chromium", () => {
  beforeAll(async () => {
    await ensureDashboardBuilt();
    served = await openServedMarket({ listen: true });
    const provider = new MarketClient({ baseUrl: served.baseUrl, wallet: served.parties.provider });
    const offers = [
      { model: "NVIDIA H100 80GB", vram: 80, price: "2.5", features: ["NvLink"] as const },
      { model: "NVIDIA A100 40GB", vram: 40, price: "1.2", features: [] as const },
      { model: "NVIDIA A100 80GB", vram: 80, price: "1.6", features: ["NvLink"] as const },
      { model: "NVIDIA L4", vram: 24, price: "0.4", features: [] as const },
    ];
    for (const offer of offers)
      await provider.addOffer({
        gpuCapacity: { gpuCount: 8, gpuModel: offer.model, vramGb: offer.vram },
        pricePerHour: offer.price,
        availableHours: 48,
        features: [...offer.features],
        location: { region: "eu-west-1", country: "IE" },
      });
    const buyer = new MarketClient({ baseUrl: served.baseUrl, wallet: served.parties.buyer });
    ({ orderId } = await buyer.submitOrder({ requirements: { minGpuCount: 2, minVramGb: 70, maxPricePerHour: "3", estimatedHours: 2 } }));
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await served.close();
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`Market at ${viewport.width}px: models with free GPUs and prices, the price chart, depth and the live tape`, async () => {
      const watched = await watchedPage(browser, viewport);
      await visit(watched, "/", "H100", `market-${size}`, viewport.width);
      const page = watched.page;
      await page
        .getByRole("table", { name: /GPU models on offer/ })
        .getByRole("rowheader", { name: "H100" })
        .waitFor();
      await page.locator(".chart canvas").first().waitFor();
      await page.getByRole("table", { name: "Asks" }).waitFor();
      await page.getByText("live", { exact: true }).waitFor();
      expect(await page.locator(".tape li").count()).toBeGreaterThan(0);
      await page.getByRole("button", { name: "Show L4" }).click();
      await page.getByRole("heading", { name: "Price of L4" }).waitFor();
      await page.getByText(/No trades of L4/).waitFor();
      expect(watched.errors).toEqual([]);
      await page.context().close();
    });

    it(`Offers at ${viewport.width}px: filter the table; a quote submitted by keyboard ranks the matches with the total including the fee`, async () => {
      const watched = await watchedPage(browser, viewport);
      await visit(watched, "/offers", "offers in the book", `offers-${size}`, viewport.width);
      const page = watched.page;
      const table = page.getByRole("table", { name: /of 4 offers/ });
      await table.waitFor();
      const filter = page.getByRole("form", { name: "Filter offers" });
      await filter.getByLabel("Model contains").fill("A100");
      await page.getByRole("table", { name: /^2 of 4 offers/ }).waitFor();
      await filter.getByLabel("Max MOLT / GPU-hour").fill("1.5");
      await page
        .getByRole("table", { name: /^1 of 4 offers/ })
        .getByRole("rowheader", { name: "NVIDIA A100 40GB" })
        .waitFor();
      await page.getByRole("button", { name: "Clear filter" }).click();

      await page.getByLabel("GPUs", { exact: true }).fill("2");
      await page.getByLabel("Hours", { exact: true }).fill("3");
      const maxPrice = page.getByRole("form", { name: "Quote" }).getByLabel("Max MOLT / GPU-hour");
      await maxPrice.fill("2");
      await maxPrice.press("Enter");
      const results = page.getByRole("table", { name: /ranked matches/ });
      await results.waitFor();
      const quote = await new MarketClient({ baseUrl: served.baseUrl }).quote({ gpus: 2, maxPrice: "2", hours: 3, limit: 10 });
      expect(quote.matches.length).toBe(3);
      const rows = results.locator("tbody tr");
      expect(await rows.count()).toBe(quote.matches.length);
      const best = quote.matches[0];
      if (best === undefined) throw new Error("no match");
      const firstRow = await rows.first().innerText();
      expect(firstRow).toContain(`${best.totalCost} MOLT`);
      expect(firstRow).toContain(best.platformFee);
      expect(firstRow).toContain("price headroom");
      await screenshot(page, `offers-quote-${size}`);
      expect(watched.errors).toEqual([]);
      await page.context().close();
    });
  }

  it("the live tape reconnects after the feed drops, resumes after its last event, and shows each event once", async () => {
    const watched = await watchedPage(browser, VIEWPORTS.desktop);
    const page = watched.page;
    await page.goto(`${served.baseUrl}/`);
    const tape = page.locator(".tape li");
    await page.getByText("live", { exact: true }).waitFor();
    const before = await tape.count();
    expect(before).toBeGreaterThan(0);
    // The server drops every feed connection; the page says so, then reconnects by itself.
    for (const client of (served.app as unknown as { websocketServer: { clients: Set<{ terminate(): void }> } }).websocketServer.clients)
      client.terminate();
    await page.getByText("reconnecting", { exact: true }).waitFor();
    await page.getByText("live", { exact: true }).waitFor();
    const provider = new MarketClient({ baseUrl: served.baseUrl, wallet: served.parties.provider });
    const { offerId } = await provider.addOffer({
      gpuCapacity: { gpuCount: 1, gpuModel: "NVIDIA T4", vramGb: 16 },
      pricePerHour: "0.2",
      availableHours: 4,
    });
    await page.getByText(offerId.slice(-6)).waitFor();
    expect(await tape.count()).toBe(before + 1);
    const seqs = await tape.locator("span.muted").allInnerTexts();
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(watched.errors.filter((error) => !error.includes("WebSocket"))).toEqual([]);
    await provider.offerAction(offerId, "withdraw");
    await page.context().close();
  });

  it("My account: a Wallet Standard wallet is listed, connects, and the page shows its balance and orders", async () => {
    const { wallet, secretKey } = savedKeypair();
    const watched = await watchedPage(browser, VIEWPORTS.desktop, testWalletInitScript(secretKey, "Molt Test Wallet"));
    await visit(watched, "/account", "Connect a wallet", "account-disconnected", VIEWPORTS.desktop.width);
    const page = watched.page;
    await page.getByRole("button", { name: "Connect Molt Test Wallet" }).click();
    await page.getByText(wallet.address).first().waitFor();
    await page.getByTestId("balance").getByText("0 MOLT").waitFor();
    await page.getByText("No orders yet.").first().waitFor();
    await page.getByRole("heading", { name: "My offers" }).waitFor();
    await screenshot(page, "account-desktop");
    expect(watched.errors).toEqual([]);
    await page.context().close();
  });

  it("an unknown page: the app says so (the server answers it 404) and links back to the market", async () => {
    const watched = await watchedPage(browser, VIEWPORTS.desktop);
    const response = await watched.page.goto(`${served.baseUrl}/no-such-page`);
    expect(response?.status()).toBe(404);
    await watched.page.getByRole("heading", { name: "Page not found" }).waitFor();
    await watched.page.getByRole("link", { name: "Back to the market" }).click();
    await watched.page.getByRole("heading", { name: "Market" }).waitFor();
    expect(watched.errors.filter((error) => !error.includes("status of 404"))).toEqual([]);
    await watched.page.context().close();
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS))
    it(`an order page at ${viewport.width}px: status, next step, match and deadlines`, async () => {
      const watched = await watchedPage(browser, viewport);
      await visit(watched, `/orders/${orderId}`, "Status:", `order-${size}`, viewport.width);
      const page = watched.page;
      await page.getByTestId("order-status").getByText("Matched").waitFor();
      await page.getByText(/funds the escrow within 1[45] min/).waitFor();
      await page.getByText(served.parties.provider.address).waitFor();
      expect(watched.errors).toEqual([]);
      await page.context().close();
    });
});
