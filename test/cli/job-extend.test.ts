// `molt-market job extend ORDER --hours N` against a real listening server: the buyer's CLI checks
// and co-signs the deposit, prints the MOLT added and the new lockedUntil; bad flags and refusals
// say what to do.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { runCli } from "../support/cli.js";
import type { CliRun } from "../support/cli.js";

let served: ServedMarket;
const dir = mkdtempSync(join(tmpdir(), "molt-cli-extend-"));

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
});
afterAll(() => served.close());

const cli = (...argv: string[]): Promise<CliRun> => runCli([...argv, "--server", served.baseUrl]);

describe("molt-market job extend", () => {
  it("the buyer extends its running job: MOLT added and the new lockedUntil printed; refusals say what to do", async () => {
    const provider = join(dir, "provider.json");
    const buyer = join(dir, "buyer.json");
    await cli("wallet", "new", "--wallet", provider);
    await cli("wallet", "new", "--wallet", buyer);
    await cli("wallet", "airdrop", "100", "--wallet", buyer);
    const offer = await cli(
      "offer",
      "add",
      "--gpus",
      "8",
      "--model",
      "H100",
      "--vram",
      "80",
      "--price",
      "2.5",
      "--hours",
      "6",
      "--wallet",
      provider,
    );
    expect(offer.code, offer.err).toBe(0);
    const submitted = await cli(
      "order",
      "submit",
      "--gpus",
      "4",
      "--max-price",
      "3",
      "--hours",
      "2",
      "--vram",
      "40",
      "--wallet",
      buyer,
      "--json",
    );
    expect(submitted.code, submitted.err).toBe(0);
    const { orderId } = JSON.parse(submitted.out) as { orderId: string };
    expect((await cli("escrow", "fund", orderId, "--wallet", buyer)).code).toBe(0);
    expect((await cli("job", "start", orderId, "--wallet", provider)).code).toBe(0);
    const lockedBefore = (await served.market.getEscrow(orderId)).lockedUntil.getTime();

    const extended = await cli("job", "extend", orderId, "--hours", "2", "--wallet", buyer);
    expect(extended.code, extended.err).toBe(0);
    const lockedUntil = new Date(lockedBefore + 2 * 3_600_000).toISOString();
    expect(extended.out).toContain(`order ${orderId}: extended by 2 h, 20 MOLT added to escrow`);
    expect(extended.out).toContain("(40 MOLT held, 4 h allocated)");
    expect(extended.out).toContain(`locked until ${lockedUntil}`);
    expect((await served.market.getEscrow(orderId)).amount.toString()).toBe("40");
    const json = await cli("job", "extend", orderId, "--hours", "1", "--wallet", buyer, "--json");
    expect(JSON.parse(json.out)).toMatchObject({ orderId, addedHours: 1, addedMolt: "10", amount: "50" });

    const refused = await cli("job", "extend", orderId, "--hours", "2", "--wallet", buyer);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/EXTENSION_REFUSED.*takes jobs of at most 6 h; this job has 5 h: extend by at most 1 h/);
    const missing = await cli("job", "extend", orderId, "--wallet", buyer);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toContain("--hours");
    const fractional = await cli("job", "extend", orderId, "--hours", "1.5", "--wallet", buyer);
    expect(fractional.err).toMatch(/INVALID_FIELD: invalid --hours "1\.5"; allowed: a whole number, e\.g\. --hours 2/);
    expect((await served.market.getEscrow(orderId)).amount.toString()).toBe("50");
  });
});
