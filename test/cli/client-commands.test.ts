// The client commands of `molt-market` against a real listening server: wallets, airdrops, offers,
// orders, quotes and stats, for people and as JSON, with errors that say what to do.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { runCli } from "../support/cli.js";
import type { CliRun } from "../support/cli.js";

let served: ServedMarket;
let server: string;
const dir = mkdtempSync(join(tmpdir(), "molt-cli-"));

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  server = served.baseUrl;
});
afterAll(() => served.close());

const cli = (...argv: string[]): Promise<CliRun> => runCli([...argv, "--server", server]);

describe("molt-market client commands", () => {
  it("a provider and a buyer go from new wallets to a matched order", async () => {
    const provider = join(dir, "provider.json");
    const buyer = join(dir, "buyer.json");
    const made = await cli("wallet", "new", "--wallet", provider, "--json");
    const providerAddress = (JSON.parse(made.out) as { address: string }).address;
    expect((await cli("wallet", "new", "--wallet", provider)).err).toMatch(/WALLET_ERROR.*--force/);
    await cli("wallet", "new", "--wallet", buyer);
    expect((await cli("wallet", "show", "--wallet", provider)).out).toBe(`wallet ${providerAddress}\nfile   ${provider}\n`);
    expect((await cli("wallet", "airdrop", "50", "--wallet", buyer)).out).toMatch(/^airdropped 50 MOLT to /);
    expect((await cli("wallet", "balance", "--wallet", buyer)).out).toMatch(/holds 50 MOLT/);
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
      "24",
      "--feature",
      "nvlink",
      "--region",
      "us-east-1",
      "--country",
      "US",
      "--wallet",
      provider,
      "--json",
    );
    expect(offer.code, offer.err).toBe(0);
    const { offerId } = JSON.parse(offer.out) as { offerId: string };
    expect((await cli("order", "quote", "--gpus", "4", "--max-price", "3", "--hours", "2")).out).toContain(offerId);
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
      "--key",
      "o-1",
    );
    // The fee is shown before paying: what the settlement of a full run takes, 2.5 % of each second's
    // whole-unit rate (floored per second), so a little under 2.5 % of the 20 MOLT.
    expect(submitted.out).toMatch(
      new RegExp(
        `Matched, matched offer ${offerId} \\(4 GPUs at 2.5 MOLT/GPU-h, total 20 MOLT, platform fee 0.49999676 MOLT \\(2.5 %\\) out of the provider's payment\\)`,
      ),
    );
    const again = await cli(
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
      "--key",
      "o-1",
    );
    expect(again.out).toBe(submitted.out);
    const orderId = /order (ord_\w+)/.exec(submitted.out)?.[1] ?? "";
    expect((await cli("order", "show", orderId)).out).toMatch(/: Matched\n/);
    expect((await cli("stats")).out).toMatch(/4 free GPUs, from 2.5 \(median 2.5\) MOLT\/GPU-h/);
    expect((await cli("offer", "pause", offerId, "--wallet", buyer)).err).toMatch(/FORBIDDEN/);
    expect((await cli("offer", "pause", offerId, "--wallet", provider)).out).toBe(`offer ${offerId}: paused\n`);
  });

  it("a failed job is refunded, a disputed one decided by the arbiter and paid out when a party accepts", async () => {
    const provider = join(dir, "provider-2.json");
    const buyer = join(dir, "buyer-2.json");
    const arbiter = join(dir, "arbiter.json");
    served.parties.arbiter.save(arbiter);
    await cli("wallet", "new", "--wallet", provider);
    await cli("wallet", "new", "--wallet", buyer);
    await cli("wallet", "airdrop", "20", "--wallet", buyer);
    await cli(
      "offer",
      "add",
      "--gpus",
      "2",
      "--model",
      "L4",
      "--vram",
      "24",
      "--price",
      "1",
      "--hours",
      "24",
      "--region",
      "eu-north-1",
      "--country",
      "SE",
      "--wallet",
      provider,
    );
    const listed = await cli("offer", "list", "--mine", "--wallet", provider);
    expect(listed.out).toMatch(/^OFFER +STATUS +MODEL +FREE +VRAM +MOLT\/GPU-H +PROVIDER\nofr_\w+ +Active +L4 +2\/2 +24 GB +1 /);
    const run = async (): Promise<string> => {
      const submitted = await cli(
        "order",
        "submit",
        "--gpus",
        "2",
        "--max-price",
        "1",
        "--hours",
        "2",
        "--region",
        "eu-north-1",
        "--wallet",
        buyer,
        "--json",
      );
      const orderId = (JSON.parse(submitted.out) as { orderId: string }).orderId;
      const funded = await cli("escrow", "fund", orderId, "--wallet", buyer);
      expect(funded.out, funded.err).toMatch(/: Locked\n {2}amount +4 MOLT \(2 GPUs x 2 h at 1 MOLT\/GPU-h\)/);
      expect(funded.err).toContain("escrow: checked and signed on this machine (moves 4 MOLT from your wallet into escrow ");
      expect((await cli("job", "list", "--wallet", provider)).out).toMatch(
        new RegExp(
          `${orderId} +provider +Escrowed +2 GPUs x 2 h, 4 MOLT +within \\d+ min +start the job within \\d+ min: molt-market job start ${orderId}`,
        ),
      );
      expect((await cli("job", "start", orderId, "--wallet", provider)).out).toBe(`order ${orderId}: Running\n`);
      return orderId;
    };

    const failed = await run();
    expect((await cli("job", "fail", failed, "--wallet", provider)).err).toMatch(/INVALID_FIELD.*--exit/);
    expect((await cli("job", "fail", failed, "--exit", "137", "--wallet", provider)).out).toMatch(
      /: Failed\n {2}proof: \d+ s from .*, exit 137/,
    );
    const refunded = await cli("escrow", "refund", failed, "--wallet", buyer);
    expect(refunded.out, refunded.err).toMatch(
      /: Refunded \(FullRefund\)\n {2}provider payment +0 MOLT\n {2}platform fee +0 MOLT\n {2}buyer refund +4 MOLT/,
    );
    expect((await cli("wallet", "balance", "--wallet", buyer)).out).toMatch(/holds 20 MOLT/);

    const disputed = await run();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await cli("job", "complete", disputed, "--wallet", provider)).out).toMatch(/: Completed\n/);
    expect((await cli("dispute", "open", disputed, "--reason", "no output", "--wallet", buyer)).out).toMatch(
      /: Disputed \(dispute dsp_\w+\); the arbiter decides/,
    );
    expect((await cli("dispute", "decide", disputed, "--provider-share", "1", "--reason", "half done", "--wallet", buyer)).err).toMatch(
      /FORBIDDEN.*the market's arbiter/,
    );
    expect((await cli("dispute", "decide", disputed, "--provider-share", "1", "--reason", "half done", "--wallet", arbiter)).out).toMatch(
      /decided, 1 MOLT to the provider/,
    );
    // order show tells the dispute's reason and the arbiter's decision, and what the viewer does next.
    const shown = await cli("order", "show", disputed, "--wallet", provider);
    expect(shown.out).toMatch(/\n {2}dispute {3}dsp_\w+, opened by the buyer at \S+: no output\n/);
    expect(shown.out).toMatch(/\n {2}decision {2}1 MOLT to the provider \(fee included\), at \S+: half done\n/);
    expect(shown.out).toContain(
      `next      accept the arbiter's decision (1 MOLT to the provider): molt-market dispute resolve ${disputed}`,
    );
    const resolved = await cli("dispute", "resolve", disputed, "--wallet", provider, "--json");
    expect(resolved.code, resolved.err).toBe(0);
    const settlement = JSON.parse(resolved.out) as {
      status: string;
      job: { settlement: { providerPayment: string; platformFee: string; buyerRefund: string } };
    };
    expect(settlement.status).toBe("Resolved");
    expect(settlement.job.settlement.buyerRefund).toBe("3");
    expect((await cli("wallet", "balance", "--wallet", provider)).out).toContain(`holds ${settlement.job.settlement.providerPayment} MOLT`);
    expect((await cli("escrow", "show", disputed)).out).toMatch(/: Resolved\n/);
  });

  it("a provider who withdraws its offer still fails and completes the jobs running on it, without --model", async () => {
    const provider = join(dir, "provider-3.json");
    const buyer = join(dir, "buyer-3.json");
    await cli("wallet", "new", "--wallet", provider);
    await cli("wallet", "new", "--wallet", buyer);
    await cli("wallet", "airdrop", "20", "--wallet", buyer);
    const offer = await cli(
      "offer",
      "add",
      "--gpus",
      "2",
      "--model",
      "L4",
      "--vram",
      "24",
      "--price",
      "1",
      "--hours",
      "24",
      "--region",
      "ap-south-1",
      "--country",
      "IN",
      "--wallet",
      provider,
      "--json",
    );
    const { offerId } = JSON.parse(offer.out) as { offerId: string };
    const running = async (): Promise<string> => {
      const submitted = await cli(
        "order",
        "submit",
        "--gpus",
        "1",
        "--max-price",
        "1",
        "--hours",
        "2",
        "--region",
        "ap-south-1",
        "--wallet",
        buyer,
        "--json",
      );
      const orderId = (JSON.parse(submitted.out) as { orderId: string }).orderId;
      expect((await cli("escrow", "fund", orderId, "--wallet", buyer)).out).toMatch(/: Locked\n/);
      expect((await cli("job", "start", orderId, "--wallet", provider)).out).toBe(`order ${orderId}: Running\n`);
      return orderId;
    };
    const [failed, completed] = [await running(), await running()];
    expect((await cli("offer", "withdraw", offerId, "--wallet", provider)).code).toBe(0);
    expect((await cli("offer", "list", "--mine", "--wallet", provider)).out).toBe("no offers\n");
    // Before the fix both asked for an undocumented --model: the proof took the model from the withdrawn offer.
    const fail = await cli("job", "fail", failed, "--exit", "1", "--wallet", provider, "--json");
    expect(fail.code, fail.err).toBe(0);
    expect(JSON.parse(fail.out) as { status: string; proof: { gpuModel: string } }).toMatchObject({
      status: "Failed",
      proof: { gpuModel: "L4" },
    });
    expect((await cli("escrow", "refund", failed, "--wallet", buyer)).out).toMatch(/: Refunded \(FullRefund\)/);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const complete = await cli("job", "complete", completed, "--wallet", provider);
    expect(complete.out, complete.err).toMatch(/: Completed\n/);
    const settled = await cli("settle", completed, "--wallet", buyer);
    expect(settled.out, settled.err).toMatch(/: Settled \(/);
    // Withdrawn means no new matches, also once its GPUs are free again.
    expect(
      (await cli("order", "submit", "--gpus", "1", "--max-price", "1", "--hours", "2", "--region", "ap-south-1", "--wallet", buyer)).out,
    ).not.toContain(offerId);
  });

  it("errors say what to do, with exit codes", async () => {
    const missing = await cli("wallet", "show", "--wallet", join(dir, "nope.json"));
    expect([missing.code, missing.err]).toEqual([1, expect.stringMatching(/molt-market wallet new/)]);
    expect(
      (await cli("order", "submit", "--gpus", "four", "--max-price", "3", "--hours", "2", "--wallet", join(dir, "buyer.json"))).err,
    ).toMatch(/INVALID_FIELD.*--gpus/);
    const down = await main(
      ["stats", "--server", "http://127.0.0.1:9"],
      () => undefined,
      (t) => {
        expect(t).toMatch(/cannot reach http:\/\/127.0.0.1:9/);
      },
    );
    expect(down).toBe(1);
  });
});
