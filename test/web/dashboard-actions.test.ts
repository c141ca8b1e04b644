// The dashboard's other signed actions in chromium: a provider imports its keypair file (a local
// market), lists GPU capacity, pauses, resumes and withdraws it; a buyer's order that rests is
// cancelled from its page; a refused action shows the MarketError's message in a role=alert region.
import { expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { VIEWPORTS, screenshot, watchedPage } from "./support/browser.js";
import { describeWithDashboard } from "./support/dashboard-suite.js";
import { savedKeypair } from "./support/keypairs.js";
import { testWalletInitScript } from "./support/test-wallet.js";

describeWithDashboard("the dashboard's actions in chromium", (suite) => {
  it("a provider imports its keypair file, lists an offer, pauses, resumes and withdraws it", async () => {
    const key = savedKeypair();
    const { page, errors } = await watchedPage(suite.browser, VIEWPORTS.desktop);
    await page.goto(`${suite.served.baseUrl}/account`);
    await page
      .getByLabel(/Import keypair file/)
      .setInputFiles({ name: "provider.json", mimeType: "application/json", buffer: Buffer.from(key.fileText) });
    await page.getByText(key.wallet.address).first().waitFor();

    const form = page.getByRole("form", { name: "List GPU capacity" });
    await form.getByLabel("GPU model").fill("NVIDIA L40S");
    await form.getByLabel("GPUs", { exact: true }).fill("4");
    await form.getByLabel("VRAM (GB)").fill("48");
    await form.getByLabel("MOLT / GPU-hour").fill("0.9");
    await form.getByLabel("Features (comma-separated)").fill("NvLink");
    await form.getByLabel(/^Region/).fill("eu-west-1");
    await form.getByLabel(/^Country/).fill("ie");
    await form.getByRole("button", { name: "List offer" }).click();
    const mine = page.getByRole("table", { name: "1 offers of this wallet" });
    await mine.getByRole("rowheader", { name: "NVIDIA L40S" }).waitFor();
    const reader = new MarketClient({ baseUrl: suite.served.baseUrl });
    const [offer] = await reader.listOffers({ provider: key.wallet.address });
    if (offer === undefined) throw new Error("the offer was not listed");
    expect(offer).toMatchObject({
      gpuModel: "NVIDIA L40S",
      gpuCount: 4,
      vramGb: 48,
      pricePerHour: "0.9",
      features: ["NvLink"],
      region: "eu-west-1",
      country: "IE",
    });
    const suffix = offer.offerId.slice(-6);

    await page.getByRole("button", { name: `Pause ${suffix}` }).click();
    await mine.getByRole("cell", { name: "Paused" }).waitFor();
    expect((await reader.getOffer(offer.offerId)).status).toBe("Paused");
    await page.getByRole("button", { name: `Resume ${suffix}` }).click();
    await mine.getByRole("cell", { name: "Active" }).waitFor();
    await screenshot(page, "account-provider");
    await page.getByRole("button", { name: `Withdraw ${suffix}` }).click();
    await page.getByRole("table", { name: "0 offers of this wallet" }).waitFor();
    expect(await reader.listOffers({ provider: key.wallet.address })).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("a refused order shows the market's message in an alert; a resting order is cancelled from its page", async () => {
    const key = savedKeypair();
    const { page, errors } = await watchedPage(suite.browser, VIEWPORTS.phone, testWalletInitScript(key.secretKey));
    await page.goto(`${suite.served.baseUrl}/account`);
    await page.getByRole("button", { name: "Connect Molt Test Wallet" }).click();
    await page.getByText(key.wallet.address).first().waitFor();

    // No MOLT yet: the market refuses an order its balance does not back, and the page says why.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Offers" }).click();
    const quote = page.getByRole("form", { name: "Quote" });
    await quote.getByLabel("GPUs", { exact: true }).fill("64");
    await quote.getByLabel("Max MOLT / GPU-hour").fill("1");
    await page.getByRole("button", { name: "Submit as order" }).click();
    const alert = page.getByRole("alert").filter({ hasText: /\S/ });
    await alert.waitFor();
    const refused = await new MarketClient({ baseUrl: suite.served.baseUrl, wallet: suite.served.parties.arbiter })
      .submitOrder({ requirements: { minGpuCount: 64, minVramGb: 0, maxPricePerHour: "1", estimatedHours: 1 } })
      .then(
        () => "accepted",
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
    expect(await alert.innerText()).toBe(refused.replace(suite.served.parties.arbiter.address, key.wallet.address));
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    await screenshot(page, "offers-refused-phone");

    // With test MOLT, the same order rests (nothing offers 64 GPUs); its page cancels it.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My account" }).click();
    await page.getByRole("button", { name: "Get test MOLT" }).click();
    await page.getByTestId("balance").getByText("1000 MOLT").waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Offers" }).click();
    await quote.getByLabel("GPUs", { exact: true }).fill("64");
    await quote.getByLabel("Max MOLT / GPU-hour").fill("1");
    await page.getByRole("button", { name: "Submit as order" }).click();
    await page.getByTestId("order-status").getByText("Pending").waitFor();
    await page.getByRole("button", { name: "Cancel order" }).click();
    await page.getByTestId("order-status").getByText("Cancelled").waitFor();
    const orderId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1) ?? "");
    expect((await new MarketClient({ baseUrl: suite.served.baseUrl }).getOrder(orderId)).status).toBe("Cancelled");
    expect(errors.filter((error) => !error.includes("status of 4"))).toEqual([]);
    await page.context().close();
  });
});
