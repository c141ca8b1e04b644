// The client commands of `molt-market` against a real listening server: wallets, airdrops, offers,
// orders, quotes and stats, for people and as JSON, with errors that say what to do.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { openServedMarket } from "../server/support.js";
import type { ServedMarket } from "../server/support.js";

let served: ServedMarket;
let server: string;
const dir = mkdtempSync(join(tmpdir(), "molt-cli-"));

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  server = served.baseUrl;
});
afterAll(() => served.close());

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main([...argv, "--server", server], (t) => (out += t), (t) => (err += t));
  return { code, out, err };
}

describe("molt-market client commands", () => {
  it("a provider and a buyer go from new wallets to a matched order", async () => {
    const provider = join(dir, "provider.json");
    const buyer = join(dir, "buyer.json");
    const made = await cli("wallet", "new", "--wallet", provider, "--json");
    const providerAddress = (JSON.parse(made.out) as { address: string }).address;
    expect((await cli("wallet", "new", "--wallet", provider)).err).toMatch(/WALLET_ERROR.*--force/);
    await cli("wallet", "new", "--wallet", buyer);
    expect((await cli("wallet", "show", "--wallet", provider)).out).toBe(`wallet ${providerAddress}\n`);
    expect((await cli("wallet", "airdrop", "50", "--wallet", buyer)).out).toMatch(/^airdropped 50 MOLT to /);
    expect((await cli("wallet", "balance", "--wallet", buyer)).out).toMatch(/holds 50 MOLT/);
    const offer = await cli("offer", "add", "--gpus", "8", "--model", "H100", "--vram", "80", "--price", "2.5", "--hours", "24", "--feature", "nvlink", "--region", "us-east-1", "--country", "US", "--wallet", provider, "--json");
    expect(offer.code, offer.err).toBe(0);
    const { offerId } = JSON.parse(offer.out) as { offerId: string };
    expect((await cli("order", "quote", "--gpus", "4", "--max-price", "3", "--hours", "2")).out).toContain(offerId);
    const submitted = await cli("order", "submit", "--gpus", "4", "--max-price", "3", "--hours", "2", "--vram", "40", "--wallet", buyer, "--key", "o-1");
    expect(submitted.out).toMatch(new RegExp(`Matched, matched offer ${offerId} \\(4 GPUs at 2.5 MOLT/GPU-h, total 20 MOLT\\)`));
    const again = await cli("order", "submit", "--gpus", "4", "--max-price", "3", "--hours", "2", "--vram", "40", "--wallet", buyer, "--key", "o-1");
    expect(again.out).toBe(submitted.out);
    const orderId = /order (ord_\w+)/.exec(submitted.out)?.[1] ?? "";
    expect((await cli("order", "show", orderId)).out).toMatch(/: Matched\n/);
    expect((await cli("stats")).out).toMatch(/4 free GPUs, from 2.5 \(median 2.5\) MOLT\/GPU-h/);
    expect((await cli("offer", "pause", offerId, "--wallet", buyer)).err).toMatch(/FORBIDDEN/);
    expect((await cli("offer", "pause", offerId, "--wallet", provider)).out).toBe(`offer ${offerId}: paused\n`);
  });

  it("errors say what to do, with exit codes", async () => {
    const missing = await cli("wallet", "show", "--wallet", join(dir, "nope.json"));
    expect([missing.code, missing.err]).toEqual([1, expect.stringMatching(/molt-market wallet new/)]);
    expect((await cli("order", "submit", "--gpus", "four", "--max-price", "3", "--hours", "2", "--wallet", join(dir, "buyer.json"))).err).toMatch(/INVALID_FIELD.*--gpus/);
    const down = await main(["stats", "--server", "http://127.0.0.1:9"], () => undefined, (t) => {
      expect(t).toMatch(/cannot reach http:\/\/127.0.0.1:9/);
    });
    expect(down).toBe(1);
  });
});
