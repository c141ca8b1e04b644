// Every command and subcommand of `molt-market` answers --help with each of its flags (exit 0); a
// group without a subcommand lists its subcommands; and a table of wrong usages each fails with a
// non-zero exit and a message in the user's words: never a schema path, a pattern, NaN, null,
// undefined, an internal method name or a stack trace.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { runCli } from "../support/cli.js";
import type { CliRun } from "../support/cli.js";

const SERVER = ["--server", "--json"];
const SIGNED = ["--server", "--wallet", "--key", "--json"];
const FILTERS = ["--gpus", "--max-price", "--hours", "--vram", "--feature", "--region", "--country", "--model", "--min-reputation"];
const PROVIDERS = ["--allow-provider", "--deny-provider"];
const PROOF = ["--output", "--usage", "--started", "--ended", "--model"];
const MARKET = ["--model", "--interval", "--from", "--to", "--after", "--limit", "--server", "--json"];

/** Every command line with --help, and the flags its help must explain (written out here, not taken from the help). */
const HELP: readonly (readonly [argv: readonly string[], flags: readonly string[]])[] = [
  [
    ["wallet", "new"],
    ["--force", "--wallet", "--json"],
  ],
  [
    ["wallet", "show"],
    ["--wallet", "--json"],
  ],
  [
    ["wallet", "balance"],
    ["--server", "--wallet", "--json"],
  ],
  [["wallet", "airdrop"], SIGNED],
  [
    ["offer", "add"],
    ["--gpus", "--model", "--vram", "--price", "--hours", "--feature", "--region", "--country", ...SIGNED],
  ],
  [
    ["offer", "list"],
    ["--mine", "--provider", "--model", "--limit", "--server", "--wallet", "--json"],
  ],
  [["offer", "pause"], SIGNED],
  [["offer", "resume"], SIGNED],
  [["offer", "withdraw"], SIGNED],
  [
    ["order", "submit"],
    [...FILTERS, ...PROVIDERS, "--budget", "--workload", "--rematch", ...SIGNED],
  ],
  [["order", "cancel"], SIGNED],
  [
    ["order", "show"],
    ["--server", "--wallet", "--json"],
  ],
  [
    ["order", "quote"],
    [...FILTERS, ...PROVIDERS, ...SERVER],
  ],
  [
    ["order", "list"],
    ["--status", "--limit", "--server", "--wallet", "--json"],
  ],
  [["escrow", "fund"], SIGNED],
  [["escrow", "show"], SERVER],
  [["escrow", "refund"], SIGNED],
  [
    ["job", "list"],
    ["--status", "--limit", "--server", "--wallet", "--json"],
  ],
  [["job", "start"], SIGNED],
  [
    ["job", "extend"],
    ["--hours", ...SIGNED],
  ],
  [
    ["job", "complete"],
    [...PROOF, ...SIGNED],
  ],
  [
    ["job", "fail"],
    ["--exit", ...PROOF, ...SIGNED],
  ],
  [["settle"], ["--hours", "--reject", ...SIGNED]],
  [
    ["dispute", "open"],
    ["--reason", "--evidence", ...SIGNED],
  ],
  [
    ["dispute", "decide"],
    ["--provider-share", "--reason", ...SIGNED],
  ],
  [["dispute", "resolve"], SIGNED],
  [["stats"], SERVER],
  [
    ["serve"],
    ["--data-dir", "--host", "--port", "--schema", "--chain", "--no-demo", "--receipt-timeout", "--dispute-window", "--sweep-interval"],
  ],
  [["quote"], [...FILTERS, ...PROVIDERS, "--prefer-model", "--budget", "--priority", "--limit", "--market", "--json"]],
  [["localnet"], ["--data-dir", "--port"]],
  [["market", "candles"], MARKET],
  [["market", "depth"], MARKET],
  [["market", "trades"], MARKET],
  [
    ["provider", "run"],
    ["--runner", "--wallet", "--server", "--offer", "--receipt-interval", "--state-dir", "--data-dir", "--gpu-devices", "--docker-network"],
  ],
  [["provider", "show"], SERVER],
];

/** The groups, and subcommands their help must list. */
const GROUPS: readonly (readonly [group: string, subcommands: readonly string[]])[] = [
  ["wallet", ["new", "show", "balance", "airdrop"]],
  ["offer", ["add", "list", "pause", "resume", "withdraw"]],
  ["order", ["submit", "cancel", "show", "quote", "list"]],
  ["escrow", ["fund", "show", "refund"]],
  ["job", ["list", "start", "extend", "complete", "fail"]],
  ["dispute", ["open", "decide", "resolve"]],
];

/** What no message may hold: a schema path or pattern, NaN, null, undefined, an internal method name, a stack trace. */
const FORBIDDEN_TEXT =
  /body\/|querystring\/|must match pattern|must match|\bNaN\b|\bnull\b|\bundefined\b|\b(?:pause|resume|withdraw)Offer\b|\b(?:cancel|submit)Order\b|\bfundEscrow\b|\b(?:start|complete|fail)Job\b|\n\s+at \S+ \(/;

describe("--help", () => {
  it.each(HELP)("molt-market %s --help explains each flag, exit 0", async (argv, flags) => {
    const run = await runCli([...argv, "--help"]);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toBe("");
    for (const flag of flags) expect(run.out, `${argv.join(" ")} --help: ${flag}`).toMatch(new RegExp(`(^|[\\s[])${flag}\\b.*\\S`, "m"));
  });

  it.each(GROUPS)(
    "molt-market %s --help lists its subcommands; alone it lists them too and exits 2, without a crash",
    async (group, subcommands) => {
      const help = await runCli([group, "--help"]);
      const alone = await runCli([group]);
      expect(help.code).toBe(0);
      expect(alone.code).toBe(2);
      expect(alone.err).toContain(`molt-market ${group} needs a subcommand`);
      for (const subcommand of subcommands) {
        expect(help.out).toMatch(new RegExp(`^ {2}${subcommand}\\b`, "m"));
        expect(alone.err).toMatch(new RegExp(`^ {2}${subcommand}\\b`, "m"));
      }
      expect(alone.err).not.toMatch(FORBIDDEN_TEXT);
    },
  );

  it("the overall help names every command", async () => {
    const run = await runCli(["--help"]);
    for (const command of [
      "serve",
      "quote",
      "localnet",
      "wallet",
      "offer",
      "order",
      "escrow",
      "job",
      "settle",
      "dispute",
      "stats",
      "market",
      "provider",
    ])
      expect(run.out).toMatch(new RegExp(`^ {2}${command}\\b`, "m"));
  });
});

describe("wrong usages", () => {
  let served: ServedMarket;
  const dir = mkdtempSync(join(tmpdir(), "molt-cli-usage-"));
  const buyer = join(dir, "buyer.json");
  const provider = join(dir, "provider.json");
  const ids = { offer: "", running: "", resting: "", cancelled: "" };
  let server: string;
  const cli = (...argv: string[]): Promise<CliRun> => runCli([...argv, "--server", server]);
  const ok = async (...argv: string[]): Promise<string> => {
    const run = await cli(...argv, "--json");
    expect(run.code, run.err).toBe(0);
    return run.out;
  };
  const orderIdOf = (out: string): string => (JSON.parse(out) as { orderId: string }).orderId;

  beforeAll(async () => {
    served = await openServedMarket({ listen: true });
    server = served.baseUrl;
    await ok("wallet", "new", "--wallet", buyer);
    await ok("wallet", "new", "--wallet", provider);
    await ok("wallet", "airdrop", "100", "--wallet", buyer);
    const offer = ["--gpus", "2", "--model", "L4", "--vram", "24", "--price", "1", "--hours", "10", "--wallet", provider];
    ids.offer = (JSON.parse(await ok("offer", "add", ...offer)) as { offerId: string }).offerId;
    const order = (gpus: string): string[] => ["order", "submit", "--gpus", gpus, "--max-price", "1", "--hours", "2", "--wallet", buyer];
    ids.running = orderIdOf(await ok(...order("2")));
    await ok("escrow", "fund", ids.running, "--wallet", buyer);
    await ok("job", "start", ids.running, "--wallet", provider);
    ids.resting = orderIdOf(await ok(...order("8")));
    ids.cancelled = orderIdOf(await ok(...order("8")));
    await ok("order", "cancel", ids.cancelled, "--wallet", buyer);
  });
  afterAll(() => served.close());

  const OFFER = ["offer", "add", "--gpus", "4", "--model", "H100", "--vram", "80", "--price", "2.5", "--hours", "24"];
  const UNKNOWN_ORDER = "ord_01JD3ZZZZZZZZZZZZZZZZZZZZZ";
  /** A wrong usage: its command line (ids filled in by name), the exit code, and what the message must say. */
  const WRONG: readonly (readonly [what: string, argv: () => string[], code: number, message: RegExp])[] = [
    [
      "a word for a number",
      () => [...OFFER.slice(0, 2), "--gpus", "abc", ...OFFER.slice(4)],
      1,
      /invalid --gpus "abc"; allowed: a whole number, e\.g\. --gpus 4/,
    ],
    [
      "a bad amount",
      () => [...OFFER.slice(0, 8), "--price", "2,5", ...OFFER.slice(10), "--wallet", provider],
      1,
      /invalid pricePerHour "2,5"; allowed: a decimal MOLT amount like 2\.5/,
    ],
    ["a missing flag", () => [...OFFER.slice(0, 8), ...OFFER.slice(10)], 1, /--price is missing: give it, e\.g\. --price 2\.5/],
    ["an unknown flag", () => [...OFFER, "--bogus"], 2, /unknown flag --bogus\n\nUsage: molt-market offer add/],
    ["a flag without its value", () => ["offer", "add", "--gpus"], 2, /--gpus needs a value/],
    [
      "a flag of another subcommand",
      () => ["order", "show", ids.running, "--gpus", "4"],
      2,
      /--gpus is not a flag of molt-market order show/,
    ],
    ["no subcommand", () => ["offer"], 2, /molt-market offer needs a subcommand[^]*add/],
    ["an unknown subcommand", () => ["offer", "frobnicate"], 2, /molt-market offer has no subcommand "frobnicate"/],
    ["an unknown command", () => ["frobnicate"], 2, /molt-market has no command "frobnicate"/],
    ["a missing argument", () => ["order", "show"], 2, /molt-market order show needs ORDER_ID/],
    ["an extra argument", () => ["order", "show", ids.running, "extra"], 2, /molt-market order show takes ORDER_ID, not/],
    ["an unknown order", () => ["order", "show", UNKNOWN_ORDER], 1, /ORDER_NOT_FOUND: order ord_01JD3Z+ not found/],
    ["an unknown offer", () => ["offer", "pause", "ofr_01JD3ZZZZZZZZZZZZZZZZZZZZZ", "--wallet", provider], 1, /OFFER_NOT_FOUND/],
    [
      "another's offer",
      () => ["offer", "pause", ids.offer, "--wallet", buyer],
      1,
      /FORBIDDEN: \w+ may not pause offer ofr_\w+; only the offer's provider may/,
    ],
    [
      "settling a running order",
      () => ["settle", ids.running, "--wallet", buyer],
      1,
      /order ord_\w+ is Running: settle it after the provider completes it/,
    ],
    [
      "cancelling a cancelled order",
      () => ["order", "cancel", ids.cancelled, "--wallet", buyer],
      1,
      /order ord_\w+ is Cancelled: it is cancelled already/,
    ],
    [
      "cancelling a running order",
      () => ["order", "cancel", ids.running, "--wallet", buyer],
      1,
      /order ord_\w+ is Running: its escrow is funded, so it is not cancelled/,
    ],
    ["funding a resting order", () => ["escrow", "fund", ids.resting, "--wallet", buyer], 1, /INVALID_STATE_TRANSITION: .*no match yet/],
    ["starting a running job twice", () => ["job", "start", ids.running, "--wallet", provider], 1, /is Running: it is running already/],
    [
      "a bad price on an order",
      () => ["order", "submit", "--gpus", "1", "--max-price", "cheap", "--hours", "2", "--wallet", buyer],
      1,
      /invalid requirements\.maxPricePerHour "cheap"; allowed: a decimal MOLT amount/,
    ],
    [
      "a word for hours",
      () => ["order", "submit", "--gpus", "1", "--max-price", "1", "--hours", "two", "--wallet", buyer],
      1,
      /invalid --hours "two"; allowed: a whole number/,
    ],
    ["zero GPUs", () => ["order", "quote", "--gpus", "0", "--max-price", "1", "--hours", "2"], 1, /minGpuCount 0|gpus 0/],
    [
      "an unknown status",
      () => ["order", "list", "--status", "Bogus", "--wallet", buyer],
      1,
      /invalid --status "Bogus"; allowed: statuses separated by commas/,
    ],
    ["a page out of range", () => ["order", "list", "--limit", "0", "--wallet", buyer], 1, /--limit 0 is out of range; allowed 1\.\.100/],
    ["a word for a limit", () => ["offer", "list", "--limit", "ten"], 1, /invalid --limit "ten"; allowed: a whole number/],
    ["fractional extra hours", () => ["job", "extend", ids.running, "--hours", "1.5", "--wallet", buyer], 1, /invalid --hours "1\.5"/],
    ["a word for an exit status", () => ["job", "fail", ids.running, "--exit", "abc", "--wallet", provider], 1, /invalid --exit "abc"/],
    ["a bad address", () => ["wallet", "balance", "not-an-address"], 1, /invalid address "not-an-address"; allowed: a Solana address/],
    [
      "a bad airdrop amount",
      () => ["wallet", "airdrop", "lots", "--wallet", buyer],
      1,
      /invalid molt "lots"; allowed: a decimal MOLT amount/,
    ],
    [
      "a missing dispute reason",
      () => ["dispute", "open", ids.running, "--wallet", buyer],
      1,
      /--reason is missing: give it, e\.g\. --reason/,
    ],
    ["no wallet file", () => ["order", "list", "--wallet", join(dir, "nope.json")], 1, /WALLET_ERROR: .*molt-market wallet new/],
    ["a bad candle interval", () => ["market", "candles", "--interval", "5m"], 1, /invalid --interval "5m"; allowed: 1h or 1d/],
    [
      "a word for a receipt interval",
      () => ["provider", "run", "--runner", "docker", "--receipt-interval", "soon"],
      1,
      /invalid --receipt-interval "soon"; allowed: a whole number/,
    ],
    ["a word for a port", () => ["serve", "--port", "abc"], 1, /--port "?abc"? is out of range; allowed 0\.\.65535/],
    [
      "too many verification threads",
      () => ["serve", "--verify-threads", "99"],
      1,
      /--verify-threads "?99"? is out of range; allowed 0\.\.8/,
    ],
  ];

  it.each(WRONG)("%s: a non-zero exit and a message in words", async (_, argv, code, message) => {
    const run = argv()[0] === "serve" ? await runCli(argv()) : await cli(...argv());
    expect(run.code, run.out).toBe(code);
    expect(run.out).toBe("");
    expect(run.err).toMatch(/(^|\n)error: \S/);
    expect(run.err).toMatch(message);
    expect(run.err).not.toMatch(FORBIDDEN_TEXT);
  });

  it("a server given without a scheme is reached over http://, and an unreachable one says so", async () => {
    const up = await runCli(["stats", "--server", served.baseUrl.replace(/^http:\/\//, "")]);
    expect(up.code, up.err).toBe(0);
    const down = await runCli(["stats", "--server", "localhost:1"]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/^error: cannot reach http:\/\/localhost:1 \(3 attempts\): .*is the server running\?\n$/);
    expect(down.err).not.toMatch(FORBIDDEN_TEXT);
  });
});
