// The "Shown by": in Debian's chromium, a Wallet Standard wallet of a fresh buyer key
// connects, gets test MOLT, submits an order that matches a listed offer, funds its escrow (a
// chain step the wallet signs through solana:signTransaction), watches the provider (in Node, its
// own client and key) run and complete the job, settles with its signed confirmation, and sees
// the split; the chain's balances are exact: payment + fee + refund = escrowed.
import { expect, it } from "vitest";
import { MarketClient } from "../../src/client/client.js";
import { Amount } from "../../src/core/amount.js";
import { VIEWPORTS, screenshot, watchedPage } from "./support/browser.js";
import { describeWithDashboard } from "./support/dashboard-suite.js";
import { savedKeypair } from "./support/keypairs.js";
import { runProviderJob } from "./support/provider-job.js";
import { TEST_WALLET_CALLS_GLOBAL, testWalletInitScript } from "./support/test-wallet.js";
import type { TestWalletCalls } from "./support/test-wallet.js";

/** How long the job runs before the provider completes it. */
const JOB_SECONDS = 2;

describeWithDashboard("the dashboard's flow in chromium", (suite) => {
  it("connect, test MOLT, order, fund through the wallet, provider runs it, settle: the split on screen and exact on chain", async () => {
    const { parties, baseUrl } = suite.served;
    const provider = new MarketClient({ baseUrl, wallet: parties.provider });
    const { offerId } = await provider.addOffer({
      gpuCapacity: { gpuCount: 4, gpuModel: "NVIDIA H100 80GB", vramGb: 80 },
      pricePerHour: "2",
      availableHours: 24,
    });
    const buyerKey = savedKeypair();
    const buyer = buyerKey.wallet.address;
    const { page, errors } = await watchedPage(suite.browser, VIEWPORTS.desktop, testWalletInitScript(buyerKey.secretKey));
    const calls = (): Promise<TestWalletCalls> =>
      page.evaluate<TestWalletCalls>(`({ ...window[${JSON.stringify(TEST_WALLET_CALLS_GLOBAL)}] })`);

    // Connect the wallet and get test MOLT.
    await page.goto(`${baseUrl}/account`);
    await page.getByRole("button", { name: "Connect Molt Test Wallet" }).click();
    await page.getByText(buyer).first().waitFor();
    await page.getByRole("button", { name: "Get test MOLT" }).click();
    await page.getByTestId("balance").getByText("1000 MOLT").waitFor();
    expect((await parties.chain.balance(buyer)).toString()).toBe("1000");

    // Submit an order from the quote form (in-page navigation keeps the wallet connected).
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Offers" }).click();
    await page.getByLabel("GPUs", { exact: true }).fill("2");
    await page.getByLabel("Hours", { exact: true }).fill("1");
    await page.getByRole("form", { name: "Quote" }).getByLabel("Max MOLT / GPU-hour").fill("3");
    await page.getByRole("button", { name: "Submit as order" }).click();
    await page.getByTestId("order-status").getByText("Matched").waitFor();
    const orderId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1) ?? "");
    const matched = await provider.getOrder(orderId);
    expect(matched).toMatchObject({ buyerId: buyer, offerId, status: "Matched" });
    // My account lists it with its next step and deadline; its link leads back to the order.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My account" }).click();
    const row = page.locator(`tr[data-order="${orderId}"]`);
    await row.getByText(/fund the escrow within 1[45] min/).waitFor();
    await row.getByRole("link").click();

    // Fund: the deposit is a chain transaction the wallet signs through solana:signTransaction.
    const before = await calls();
    await page.getByRole("button", { name: "Fund escrow" }).click();
    await page.getByTestId("order-status").getByText("Escrowed").waitFor();
    const after = await calls();
    expect(after.signTransaction).toBe(before.signTransaction + 1);
    expect(after.signMessage).toBeGreaterThan(before.signMessage);
    const escrow = await provider.getEscrow(orderId);
    expect(escrow).toMatchObject({ buyer, state: "Locked", amount: "4" });

    // The provider, in Node with its own key, runs and completes the job.
    await runProviderJob(provider, parties.provider, {
      escrow,
      orderId,
      gpuModel: "NVIDIA H100 80GB",
      gpuCount: 2,
      runMs: JOB_SECONDS * 1000,
      exitStatus: 0,
      digest: "ab".repeat(32),
    });
    await page.getByTestId("order-status").getByText("Completed").waitFor();

    // Settle in the browser: the buyer's confirmation and the payout co-signature, both by the wallet.
    const beforeSettle = await calls();
    await page.getByRole("button", { name: "Confirm and settle" }).click();
    await page.getByTestId("order-status").getByText("Settled").waitFor();
    expect((await calls()).signTransaction).toBe(beforeSettle.signTransaction + 1);
    const settled = await provider.getOrder(orderId);
    const split = settled.job.settlement;
    if (split === undefined) throw new Error("no settlement");
    await page.getByTestId("provider-payment").getByText(`${split.providerPayment} MOLT`).waitFor();
    await page.getByTestId("platform-fee").getByText(`${split.platformFee} MOLT`).waitFor();
    await page.getByTestId("buyer-refund").getByText(`${split.buyerRefund} MOLT`).waitFor();
    await page.getByTestId("escrow-state").getByText("Released").waitFor();
    await screenshot(page, "flow-settled");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My account" }).click();
    await row
      .getByText(`${split.status}: provider ${split.providerPayment}, fee ${split.platformFee}, refund ${split.buyerRefund}`)
      .waitFor();
    await screenshot(page, "flow-account");

    // Exact on chain: rate = ceil(2 MOLT x 2 GPUs / 3600 s) base units per second, JOB_SECONDS billed.
    const rate = (4n * 1_000_000_000n + 3599n) / 3600n;
    const charge = rate * BigInt(JOB_SECONDS);
    const [payment, fee, refund] = [split.providerPayment, split.platformFee, split.buyerRefund].map(
      (text) => Amount.parse(text).baseUnits,
    );
    expect((payment ?? 0n) + (fee ?? 0n)).toBe(charge);
    expect((payment ?? 0n) + (fee ?? 0n) + (refund ?? 0n)).toBe(Amount.parse(escrow.amount).baseUnits);
    expect((await parties.chain.balance(parties.provider.address)).baseUnits).toBe(payment);
    expect((await parties.chain.balance(buyer)).baseUnits).toBe(Amount.parse("1000").baseUnits - charge);
    expect(errors).toEqual([]);
  }, 90_000);
});
