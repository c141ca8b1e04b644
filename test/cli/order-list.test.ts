// `molt-market order submit` says the next step and its funding deadline; `order list` shows the
// wallet's orders in every state, newest first, with each next step and its deadline in words
// (--status filters, --json is the server's page); `job list` shows the wallet's jobs as provider and
// as buyer with their states. Against a real listening server.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderListView } from "../../src/contract/order-list.js";
import { openServedMarket } from "../support/server.js";
import type { ServedMarket } from "../support/server.js";
import { runCli } from "../support/cli.js";
import type { CliRun } from "../support/cli.js";

let served: ServedMarket;
const dir = mkdtempSync(join(tmpdir(), "molt-cli-orders-"));
const buyer = join(dir, "buyer.json");
const provider = join(dir, "provider.json");
const cli = (...argv: string[]): Promise<CliRun> => runCli([...argv, "--server", served.baseUrl]);
const ids = { matched: "", resting: "", cancelled: "" };
let submitted: CliRun;

beforeAll(async () => {
  served = await openServedMarket({ listen: true });
  for (const wallet of [buyer, provider]) expect((await cli("wallet", "new", "--wallet", wallet)).code).toBe(0);
  expect((await cli("wallet", "airdrop", "100", "--wallet", buyer)).code).toBe(0);
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
    "10",
    "--wallet",
    provider,
  );
  expect(offer.code, offer.err).toBe(0);
  const order = (gpus: string): Promise<CliRun> =>
    cli("order", "submit", "--gpus", gpus, "--max-price", "1", "--hours", "2", "--wallet", buyer);
  submitted = await order("2");
  const idOf = (run: CliRun): string => /^order (ord_\w+)/.exec(run.out)?.[1] ?? "";
  ids.matched = idOf(submitted);
  ids.resting = idOf(await order("8"));
  ids.cancelled = idOf(await order("8"));
  expect((await cli("order", "cancel", ids.cancelled, "--wallet", buyer)).code).toBe(0);
});
afterAll(() => served.close());

describe("order submit, order list and job list", () => {
  it("order submit says the next step: fund within the funding window, with the command", () => {
    expect(submitted.code, submitted.err).toBe(0);
    expect(submitted.out).toMatch(
      new RegExp(
        `^order ${ids.matched}: Matched, matched offer ofr_\\w+ .*\\nnext: fund the escrow within 1[45] min: molt-market escrow fund ${ids.matched}\\n$`,
      ),
    );
  });

  it("order show: what the buyer asked for, the deadline and the next step", async () => {
    const shown = await cli("order", "show", ids.matched, "--wallet", buyer);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain("\n  wants     2 GPUs, at most 1 MOLT/GPU-h, 2 h\n");
    expect(shown.out).toMatch(/\n {2}fund by +\S+ \(within 1[45] min\)\n/);
    expect(shown.out).toContain(`\n  next      fund the escrow within`);
    expect((await cli("order", "show", ids.matched)).out).toContain("next      the buyer funds the escrow within");
  });

  it("order list: every state, newest first, with the next step and its deadline in words", async () => {
    const listed = await cli("order", "list", "--wallet", buyer);
    expect(listed.code, listed.err).toBe(0);
    const lines = listed.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ORDER +STATUS +MATCH +DUE +NEXT STEP$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(new RegExp(`^${ids.cancelled} +Cancelled +- +- +none: the order is cancelled$`)),
      expect.stringMatching(
        new RegExp(`^${ids.resting} +Pending +- +- +resting until an offer fits; cancel it with: molt-market order cancel ${ids.resting}$`),
      ),
      expect.stringMatching(
        new RegExp(
          `^${ids.matched} +Matched +2 GPUs x 2 h, 4 MOLT +within 1[45] min +fund the escrow within 1[45] min: molt-market escrow fund ${ids.matched}$`,
        ),
      ),
    ]);
  });

  it("order list --status filters (any case), --json is the server's page", async () => {
    const json = await cli("order", "list", "--status", "matched,pending", "--json", "--wallet", buyer);
    expect(json.code, json.err).toBe(0);
    const page = JSON.parse(json.out) as OrderListView;
    expect(page.orders.map((o) => [o.orderId, o.status])).toEqual([
      [ids.resting, "Pending"],
      [ids.matched, "Matched"],
    ]);
    expect(page.next).toBeNull();
    expect(page.orders[1]?.deadlines.fundBy).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await cli("order", "list", "--status", "Settled", "--wallet", buyer)).out).toBe("no orders\n");
  });

  it("job list: the provider's and the buyer's jobs (matched orders), with states and whose step it is", async () => {
    const asProvider = await cli("job", "list", "--wallet", provider);
    expect(asProvider.code, asProvider.err).toBe(0);
    expect(asProvider.out).toMatch(/^ORDER +ROLE +STATUS +MATCH +DUE +NEXT STEP\n/);
    expect(asProvider.out).toMatch(
      new RegExp(`\\n${ids.matched} +provider +Matched +2 GPUs x 2 h, 4 MOLT +within 1[45] min +the buyer funds the escrow within`),
    );
    const asBuyer = await cli("job", "list", "--wallet", buyer);
    expect(asBuyer.out).toMatch(new RegExp(`\\n${ids.matched} +buyer +Matched `));
    expect(asBuyer.out).not.toContain(ids.resting);
    const json = JSON.parse((await cli("job", "list", "--json", "--wallet", provider)).out) as {
      asProvider: { orderId: string }[];
      asBuyer: unknown[];
    };
    expect(json.asProvider.map((o) => o.orderId)).toEqual([ids.matched]);
    expect(json.asBuyer).toEqual([]);
    const none = join(dir, "nobody.json");
    await cli("wallet", "new", "--wallet", none);
    expect((await cli("job", "list", "--wallet", none)).out).toMatch(/^no jobs/);
  });
});
