// The --allow-provider / --deny-provider flags of `molt-market quote` (against the sample market)
// and of `molt-market order quote|submit` (against a real listening server).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandHelp } from "../../src/cli/command-help.js";
import { QUOTE_USAGE } from "../../src/cli/quote.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { runCli } from "../support/cli.js";
import type { CliRun } from "../support/cli.js";

const run = (args: string[]): Promise<CliRun> => runCli(args);

const QUOTE = ["quote", "--gpus", "2", "--max-price", "15", "--hours", "8", "--json", "--limit", "20"];
const providersOf = (out: string): string[] => (JSON.parse(out) as { matches: { providerId: string }[] }).matches.map((m) => m.providerId);

describe("molt-market quote with provider filters", () => {
  it("documents the flags", () => {
    expect(QUOTE_USAGE).toMatch(/--allow-provider ID/);
    expect(QUOTE_USAGE).toMatch(/--deny-provider ID/);
    expect(commandHelp("order", "submit")).toMatch(/--allow-provider ADDRESS .*repeatable[^]*--deny-provider ADDRESS .*repeatable/);
  });

  it("--deny-provider drops a provider's offers, --allow-provider keeps only the listed ones", async () => {
    const all = await run(QUOTE);
    expect(all.code, all.err).toBe(0);
    const top = providersOf(all.out)[0] ?? "";
    expect(top).not.toBe("");
    const denied = await run([...QUOTE, "--deny-provider", top]);
    expect(denied.code, denied.err).toBe(0);
    expect(providersOf(denied.out).length).toBeGreaterThan(0);
    expect(providersOf(denied.out)).not.toContain(top);
    const allowed = await run([...QUOTE, "--allow-provider", top]);
    expect(providersOf(allowed.out).length).toBeGreaterThan(0);
    expect(new Set(providersOf(allowed.out))).toEqual(new Set([top]));
    const both = await run([...QUOTE, "--allow-provider", top, "--deny-provider", top]);
    expect(both.code).toBe(1);
    expect(both.err).toMatch(/INVALID_FIELD.*both allowed and denied/);
  });
});

describe("molt-market order quote|submit with provider filters", () => {
  let served: ServedMarket;
  const dir = mkdtempSync(join(tmpdir(), "molt-cli-pf-"));
  const cli = (...argv: string[]) => run([...argv, "--server", served.baseUrl]);
  const addresses: string[] = [];

  beforeAll(async () => {
    served = await openServedMarket({ listen: true });
    for (const [name, price] of [
      ["cheap", "2"],
      ["dear", "2.5"],
    ] as const) {
      const wallet = join(dir, `${name}.json`);
      addresses.push((JSON.parse((await cli("wallet", "new", "--wallet", wallet, "--json")).out) as { address: string }).address);
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
        price,
        "--hours",
        "24",
        "--wallet",
        wallet,
      );
      expect(offer.code, offer.err).toBe(0);
    }
    await cli("wallet", "new", "--wallet", join(dir, "buyer.json"));
    expect((await cli("wallet", "airdrop", "50", "--wallet", join(dir, "buyer.json"))).code).toBe(0);
  });
  afterAll(() => served.close());

  it("order quote and order submit skip a denied provider and keep to allowed ones", async () => {
    const [cheap = "", dear = ""] = addresses;
    const order = ["--gpus", "2", "--max-price", "3", "--hours", "2"];
    const quoted = async (...flags: string[]): Promise<string[]> => {
      const result = await cli("order", "quote", ...order, ...flags, "--json");
      expect(result.code, result.err).toBe(0);
      return providersOf(result.out);
    };
    expect(await quoted()).toEqual([cheap, dear]);
    expect(await quoted("--deny-provider", cheap)).toEqual([dear]);
    expect(await quoted("--allow-provider", dear, "--allow-provider", cheap)).toEqual([cheap, dear]);
    expect((await cli("order", "quote", ...order, "--deny-provider", "nope")).err).toMatch(/INVALID_ADDRESS/);
    const submitted = await cli("order", "submit", ...order, "--deny-provider", cheap, "--wallet", join(dir, "buyer.json"), "--json");
    expect(submitted.code, submitted.err).toBe(0);
    expect((JSON.parse(submitted.out) as { match?: { providerId: string } }).match?.providerId).toBe(dear);
  });
});
