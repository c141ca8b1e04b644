// An in-memory stand-in for the market as the provider agent sees it (AgentMarket), for unit tests
// of the agent's steps on a manual clock: one order, its escrow, the job's lifecycle with the
// market's own receipt rule (checkUsageReceipt), idempotency keys that replay the first answer, a
// dispute window before the provider may settle, and a switch to fail the job as ProviderLost.
import type { AgentMarket } from "../../src/agent/job-driver.js";
import type { RunStatus, Runner } from "../../src/agent/runner.js";
import type { Wallet } from "../../src/chain/wallet.js";
import type { ManualClock } from "../../src/core/clock.js";
import { MarketError } from "../../src/core/errors.js";
import { escrowIdOf } from "../../src/core/ids.js";
import { checkUsageReceipt } from "../../src/settlement/usage-receipt.js";
import type { Telemetry, UsageReceipt } from "../../src/settlement/usage-receipt.js";
import type { Attestation } from "../../src/settlement/statements.js";

/** The order every fake market holds. */
export const FAKE_ORDER_ID = "ord_01JD3Q0000000000000000000F";
const OFFER_ID = "off_01JD3Q0000000000000000000F";

/** The fake market and what it saw. */
export interface FakeAgentMarket {
  readonly client: AgentMarket;
  /** Every idempotency key a mutating call carried, in order (repeats included). */
  readonly keys: string[];
  /** Receipts accepted, in order. */
  readonly receipts: UsageReceipt[];
  status(): string;
  /** The market fails the running job: no receipt in time. */
  loseProvider(): void;
}

/** A fake market of one funded order of `provider`'s offer: 1 GPU for `allocatedSeconds`, settleable `disputeWindowMs` after completion. */
export function fakeAgentMarket(provider: Wallet, clock: ManualClock, allocatedSeconds = 3600, disputeWindowMs = 2000): FakeAgentMarket {
  let status = "Escrowed";
  let startedAtMs: number | undefined;
  let latest: UsageReceipt | undefined;
  let attestation: Attestation | undefined;
  let completedAtMs = 0;
  let failure: { reason: string; kind?: string } | undefined;
  const answers = new Map<string, unknown>();
  const keys: string[] = [];
  const receipts: UsageReceipt[] = [];
  const escrowId = escrowIdOf(FAKE_ORDER_ID);
  const createdAtMs = clock.now();
  const lockedUntilMs = createdAtMs + (allocatedSeconds + 3600) * 1000;
  const once = <T>(key: string | undefined, apply: () => T): Promise<T> => {
    if (key !== undefined) keys.push(key);
    if (key !== undefined && answers.has(key)) return Promise.resolve(answers.get(key) as T);
    try {
      const answer = apply();
      if (key !== undefined) answers.set(key, answer);
      return Promise.resolve(answer);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  };
  const transition = (from: string, to: string): void => {
    if (status !== from) throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: status, to });
    status = to;
  };
  const order = () => ({
    orderId: FAKE_ORDER_ID,
    status,
    buyerId: "buyer",
    offerId: OFFER_ID,
    escrowId,
    match: { orderId: FAKE_ORDER_ID, offerId: OFFER_ID, providerId: provider.address, gpuCount: 1, hours: 1, totalCost: "2.5" },
    job: {
      gpuModel: "NVIDIA H100 80GB",
      ...(startedAtMs === undefined ? {} : { startedAtMs }),
      ...(latest === undefined ? {} : { receipt: latest }),
      ...(attestation === undefined ? {} : { attestation }),
      ...(failure === undefined ? {} : { failure }),
      ...(status === "Settled"
        ? { settlement: { status: "Success", providerPayment: "1", platformFee: "0.1", buyerRefund: "1.4", transactions: [] } }
        : {}),
    },
  });
  const escrow = () => ({
    escrowId,
    offerId: OFFER_ID,
    gpuCount: 1,
    allocatedSeconds,
    createdAt: new Date(createdAtMs).toISOString(),
    lockedUntil: new Date(lockedUntilMs).toISOString(),
  });
  const client = {
    getOrder: () => Promise.resolve(order()),
    getEscrow: () => Promise.resolve(escrow()),
    getOffer: () => Promise.reject(new MarketError("OFFER_NOT_FOUND", { offerId: OFFER_ID })),
    health: () => Promise.resolve({ status: "ok", seq: 0 }),
    matches: () => Promise.resolve(status === "Escrowed" || status === "Running" ? [order().match] : []),
    workload: () => Promise.resolve({ orderId: FAKE_ORDER_ID, workload: { image: `x@sha256:${"d".repeat(64)}`, args: ["5", "0"] } }),
    startJob: (_id: string, key?: string) =>
      once(key, () => {
        transition("Escrowed", "Running");
        startedAtMs = clock.now();
        return { orderId: FAKE_ORDER_ID, status };
      }),
    sendReceipt: (_id: string, body: { receipt: UsageReceipt }, key?: string) =>
      once(key, () => {
        if (status !== "Running") throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: status, to: "Running" });
        checkUsageReceipt({
          escrow: { id: escrowId, provider: provider.address, allocatedSeconds, lockedUntil: new Date(lockedUntilMs) },
          startedAtMs: startedAtMs ?? 0,
          receipt: body.receipt,
          nowMs: clock.now(),
          ...(latest === undefined ? {} : { latest }),
        });
        latest = body.receipt;
        receipts.push(body.receipt);
        return { orderId: FAKE_ORDER_ID, status };
      }),
    endJob: (_id: string, action: "complete" | "fail", signed: Attestation, key?: string) =>
      once(key, () => {
        transition("Running", action === "complete" ? "Completed" : "Failed");
        attestation = signed;
        completedAtMs = clock.now();
        if (action === "fail") failure = { reason: `exit ${signed.proof.exitStatus}`, attestation: signed } as never;
        return { orderId: FAKE_ORDER_ID, status };
      }),
    settle: (_id: string, _input: unknown, options: { key?: string } = {}) =>
      once(options.key, () => {
        if (status === "Completed" && clock.now() < completedAtMs + disputeWindowMs) {
          throw new MarketError("DISPUTE_WINDOW_OPEN", { escrowId, settleableAt: new Date(completedAtMs + disputeWindowMs).toISOString() });
        }
        if (status !== "Completed" && !(status === "Failed" && failure?.kind === "ProviderLost"))
          throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: status, to: "Settled" });
        status = "Settled";
        return order();
      }),
  };
  return {
    client: client as unknown as AgentMarket,
    keys,
    receipts,
    status: () => status,
    loseProvider: () => {
      status = "Failed";
      failure = { reason: "no usage receipt within the receipt timeout", kind: "ProviderLost" };
    },
  };
}

/** A runner whose one workload runs until `exit` is called (reporting `telemetry` when given); records stops and launches. */
export function fakeRunner(
  clock: ManualClock,
  telemetry?: Telemetry,
): Runner & { exit(code: number): void; readonly stops: number; readonly launches: number } {
  let state: RunStatus = { state: "running" };
  let stops = 0;
  let launches = 0;
  return {
    get stops() {
      return stops;
    },
    get launches() {
      return launches;
    },
    exit(code) {
      state = { state: "exited", exitStatus: code, endedAtMs: clock.now() };
    },
    launch: (spec) => {
      launches++;
      return Promise.resolve({ kind: "command", pid: 1, jobDir: spec.jobDir });
    },
    status: () => Promise.resolve(state),
    stop: () => {
      stops++;
      state = { state: "gone" };
      return Promise.resolve();
    },
    outputDigest: () => Promise.resolve("e".repeat(64)),
    ...(telemetry === undefined ? {} : { telemetry: () => Promise.resolve(telemetry) }),
  };
}
