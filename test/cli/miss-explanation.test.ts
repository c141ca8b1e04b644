// The hard-filter flags (--model repeatable, --min-reputation) and the miss explanation in people's
// words: `molt-market quote` against the sample market, `molt-market order quote|submit` against a
// real listening server (an RTX 5090 order rests and says why).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandHelp } from "../../src/cli/command-help.js";
import { explanationText } from "../../src/cli/miss-text.js";
import { QUOTE_USAGE } from "../../src/cli/quote.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { runCli } from "../support/cli.js";
import type { CliRun } from "../support/cli.js";

const run = (args: string[]): Promise<CliRun> => runCli(args);
const QUOTE = ["quote", "--gpus", "2", "--max-price", "15", "--hours", "8"];

describe("molt-market quote with hard filters", () => {
  it("documents --model as a hard filter, --prefer-model as a preference, and --min-reputation", () => {
    expect(QUOTE_USAGE).toMatch(/--model NAME {8}GPU model, repeatable: only offers of one of them match/);
    expect(QUOTE_USAGE).toMatch(/--prefer-model NAME preferred GPU model/);
    expect(QUOTE_USAGE).toMatch(/--min-reputation R/);
    expect(commandHelp("order", "submit")).toMatch(/--model M .*repeatable[^]*--min-reputation R .*0\.\.1/);
  });

  it("--model keeps only that model (normalized); an absent one prints why, with the models on offer", async () => {
    const h100 = await run([...QUOTE, "--model", "h100", "--json", "--limit", "30"]);
    expect(h100.code, h100.err).toBe(0);
    const parsed = JSON.parse(h100.out) as { matches: { offerId: string }[] };
    expect(parsed.matches.length).toBeGreaterThan(0);
    const table = await run([...QUOTE, "--model", "h100", "--limit", "30"]);
    for (const row of table.out.trim().split("\n").slice(3)) expect(row).toMatch(/H100/);
    const miss = await run([...QUOTE, "--model", "RTX 6000"]);
    expect(miss.code, miss.err).toBe(0);
    expect(miss.out).toMatch(/No offer among 400 satisfies this order/);
    expect(miss.out).toMatch(/why nothing matches: no offer of model RTX 6000 \(models on offer: .*H100.*\)/);
    expect(miss.out).toMatch(/change --model to find offers \(NO_MATCHING_OFFERS\)/);
  });

  it("a price miss names the cheapest match and --max-price; --min-reputation is checked", async () => {
    const miss = await run(["quote", "--gpus", "1", "--max-price", "0.01", "--hours", "1"]);
    expect(miss.out).toMatch(/why nothing matches: cheapest match costs [\d.]+ per GPU-hour, above your 0\.01/);
    expect(miss.out).toMatch(/change --max-price to find offers \(PRICE_EXCEEDS_BUDGET\)/);
    expect((await run([...QUOTE, "--min-reputation", "0.9"])).out).toMatch(/change --min-reputation/);
    expect((await run([...QUOTE, "--min-reputation", "high"])).err).toMatch(/INVALID_FIELD.*--min-reputation/);
    expect((await run([...QUOTE, "--min-reputation", "2"])).err).toMatch(/OUT_OF_RANGE/);
  });

  it("explanationText: the sentence, then the flag and the code", () => {
    expect(explanationText({ code: "NO_MATCHING_OFFERS", constraint: "gpuCount", message: "no offer has 64 free GPUs" })).toBe(
      "why nothing matches: no offer has 64 free GPUs\n  change --gpus to find offers (NO_MATCHING_OFFERS)",
    );
    expect(explanationText({ code: "NO_MATCHING_OFFERS", constraint: "offers", message: "no offer is active with free GPUs" })).toBe(
      "why nothing matches: no offer is active with free GPUs\n  (NO_MATCHING_OFFERS)",
    );
  });
});

describe("molt-market order quote|submit with hard filters", () => {
  let served: ServedMarket;
  const dir = mkdtempSync(join(tmpdir(), "molt-cli-miss-"));
  const cli = (...argv: string[]) => run([...argv, "--server", served.baseUrl]);

  beforeAll(async () => {
    served = await openServedMarket({ listen: true });
    const wallet = join(dir, "provider.json");
    await cli("wallet", "new", "--wallet", wallet);
    for (const model of ["H100", "A100"]) {
      const offer = await cli(
        "offer",
        "add",
        "--gpus",
        "8",
        "--model",
        model,
        "--vram",
        "80",
        "--price",
        "2",
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

  it("order quote --model filters; order submit of an RTX 5090 rests and says why", async () => {
    const order = ["--gpus", "2", "--max-price", "3", "--hours", "2"];
    const quoted = await cli("order", "quote", ...order, "--model", "A100", "--json");
    expect(quoted.code, quoted.err).toBe(0);
    const matches = (JSON.parse(quoted.out) as { matches: { offerId: string }[] }).matches;
    expect(matches).toHaveLength(1);
    const none = await cli("order", "quote", ...order, "--model", "RTX 5090");
    expect(none.out).toMatch(/^no offer fits\nwhy nothing matches: no offer of model RTX 5090 \(models on offer: H100, A100\)/);
    const submitted = await cli("order", "submit", ...order, "--model", "RTX 5090", "--wallet", join(dir, "buyer.json"));
    expect(submitted.code, submitted.err).toBe(0);
    expect(submitted.out).toMatch(/: Pending, resting until an offer fits\nwhy nothing matches: no offer of model RTX 5090/);
    expect(submitted.out).toMatch(/it waits for a new offer/);
    expect(submitted.out).toMatch(/change --model to find offers \(NO_MATCHING_OFFERS\)/);
    const twice = await cli(
      "offer",
      "add",
      "--gpus",
      "8",
      "--model",
      "H100",
      "--model",
      "A100",
      "--vram",
      "80",
      "--price",
      "2",
      "--hours",
      "24",
    );
    expect(twice.err).toMatch(/INVALID_FIELD.*--model/);
  });
});
