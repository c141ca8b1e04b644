// One job in the provider agent's hands, stepped forward by the agent: start it at the market,
// launch its workload, send usage receipts while it runs, end it with an attested proof when the
// workload exits, and settle it once the buyer's dispute window has passed (or, when the market
// failed it as ProviderLost, stop the workload and settle for the receipted seconds). Every call
// carries an idempotency key of the job and the step; every change is saved before the next step.
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { MarketClient } from "../client/client.js";
import type { EscrowView } from "../contract/escrows.js";
import type { ReceiptRequest } from "../contract/jobs.js";
import type { OrderDetails } from "../contract/orders.js";
import type { Clock } from "../core/clock.js";
import { isMarketError } from "../core/errors.js";
import type { Signer } from "../core/signer.js";
import { attest } from "../settlement/statements.js";
import { signUsageReceipt, telemetryDigest } from "../settlement/usage-receipt.js";
import type { Telemetry, UsageReceipt } from "../settlement/usage-receipt.js";
import type { AgentStateDir, JobRecord } from "./agent-state.js";
import { digestOf, executionProofOf } from "./execution-proof.js";
import { planReceipt } from "./receipt-schedule.js";
import type { Runner } from "./runner.js";

/** What the agent asks of the market (MarketClient signed by the provider's wallet). */
export type AgentMarket = Pick<
  MarketClient,
  "startJob" | "endJob" | "settle" | "getOrder" | "getEscrow" | "getOffer" | "matches" | "health" | "sendReceipt" | "workload"
>;

/** What every job of one agent shares. */
export interface JobContext {
  readonly client: AgentMarket;
  readonly wallet: Signer;
  readonly runner: Runner;
  readonly state: AgentStateDir;
  readonly receiptIntervalS: number;
  readonly gpuDevices?: readonly string[] | undefined;
  readonly clock: Clock;
  readonly log: (line: string) => void;
}

/** Backoff of a step that failed for a reason other than the market's answer, in milliseconds. */
export const STEP_RETRY_MS = { first: 500, max: 30_000 } as const;
/** The exit status stated for a workload that vanished without one (killed with its wrapper) or never launched. */
export const EXIT_STATUS_UNKNOWN = -1;

/** The idempotency key of one step of one job. */
export function stepKey(orderId: string, step: string): string {
  return `agent:${orderId}:${step}`;
}

/** The usage samples of a job (one JSON line per receipt with telemetry), in its runner folder; the proof's usage digest is its SHA-256. */
export const USAGE_FILE = "usage.jsonl";

function termsOf(escrow: EscrowView): { escrowId: string; allocatedSeconds: number; lockedUntilMs: number } {
  return { escrowId: escrow.escrowId, allocatedSeconds: escrow.allocatedSeconds, lockedUntilMs: Date.parse(escrow.lockedUntil) };
}

/** Telemetry as the receipt route takes it (its own lists), or nothing. */
function wireTelemetry(telemetry: Telemetry | undefined): Pick<ReceiptRequest, "telemetry"> {
  if (telemetry === undefined) return {};
  const { gpuUtilizationPct, deviceUuids } = telemetry;
  return {
    telemetry: {
      ...(gpuUtilizationPct === undefined ? {} : { gpuUtilizationPct: [...gpuUtilizationPct] }),
      ...(deviceUuids === undefined ? {} : { deviceUuids: [...deviceUuids] }),
    },
  };
}

const TERMINAL = new Set(["Settled", "Refunded", "Resolved", "Cancelled", "Expired"]);

/**
 * Drives one job. Invariants: at most one step runs at a time (the agent awaits `advance`); the
 * record on disk is saved after every change, so a restart resumes at the last step taken.
 */
export class JobDriver {
  /** When the next step may run (retry backoff, receipt due, dispute window). */
  private nextAtMs = 0;
  private failures = 0;
  private lastError = "";
  /** The market changed this order: read it before the next step. */
  private stale = true;
  /** The escrow's terms, read again whenever the market changed the order (a buyer's extension moves them). */
  private terms: { escrowId: string; allocatedSeconds: number; lockedUntilMs: number } | undefined;
  /** Sequences at or under this are never sent again (a receipt refused or lost under its key). */
  private sequenceFloor = 0;
  /** The settleable time last logged, so the wait is said once. */
  private settleableAt = "";

  constructor(
    private record: JobRecord,
    private readonly ctx: JobContext,
  ) {}

  /** The order this driver steps. */
  get orderId(): string {
    return this.record.orderId;
  }

  /** Has the agent's part ended (settled, failed, refunded, disputed...): no step is due again. */
  get done(): boolean {
    return this.record.phase === "done";
  }

  /** The market changed this order (a feed event, a re-scan): read it before the next step. */
  marketChanged(): void {
    this.stale = true;
    this.nextAtMs = 0;
  }

  /** May a step run at `nowMs`. */
  due(nowMs: number): boolean {
    return !this.done && nowMs >= this.nextAtMs;
  }

  private save(change: Partial<JobRecord>): void {
    this.record = { ...this.record, ...change };
    this.ctx.state.save(this.record);
  }

  /** One step; a failure is logged once and retried with backoff. Never throws. */
  async advance(): Promise<void> {
    try {
      if (this.stale) await this.reconcile(await this.ctx.client.getOrder(this.orderId));
      this.stale = false;
      if (this.record.phase === "starting") await this.start();
      if (this.record.phase === "running") await this.watch();
      if (this.record.phase === "ending") await this.end();
      if (this.record.phase === "settling") await this.settle();
      this.failures = 0;
      this.lastError = "";
    } catch (e) {
      const message = e instanceof Error ? (isMarketError(e) ? `${e.code}: ${e.message}` : e.message) : String(e);
      if (message !== this.lastError) this.ctx.log(`${this.orderId}: ${this.record.phase} step failed, retrying: ${message}`);
      this.lastError = message;
      this.stale = true;
      this.nextAtMs = this.ctx.clock.now() + Math.min(STEP_RETRY_MS.max, STEP_RETRY_MS.first * 2 ** Math.min(this.failures++, 16));
    }
  }

  /** Brings the record in line with the market's view of the order. */
  private async reconcile(order: OrderDetails): Promise<void> {
    const { phase, run } = this.record;
    this.terms = undefined;
    const latest = order.job.receipt;
    if (latest !== undefined && latest.sequence > (this.record.lastReceipt?.sequence ?? 0)) this.save({ lastReceipt: latest });
    if (order.job.startedAtMs !== undefined && this.record.startedAtMs === undefined) this.save({ startedAtMs: order.job.startedAtMs });
    const lost = order.status === "Failed" && order.job.failure?.kind === "ProviderLost";
    if (lost && latest === undefined) {
      // Lost before any receipt: nothing is owed to the provider; the buyer is refunded.
      if (run !== undefined) await this.ctx.runner.stop(run);
      this.finish("Failed (ProviderLost before any receipt)");
    } else if (lost && phase !== "settling") {
      if (run !== undefined) await this.ctx.runner.stop(run);
      this.ctx.log(
        `lost ${this.orderId}: the market failed it (ProviderLost, no receipt in time); workload stopped, settling the receipted seconds`,
      );
      this.save({ phase: "settling" });
    } else if (order.status === "Completed" && (phase === "running" || phase === "ending")) {
      this.save({ phase: "settling" });
    } else if (TERMINAL.has(order.status) || (order.status === "Failed" && !lost) || order.status === "Disputed") {
      if (run !== undefined && phase === "running") await this.ctx.runner.stop(run);
      this.finish(`${order.status}${order.job.failure === undefined ? "" : ` (${order.job.failure.reason})`}`);
    }
  }

  private finish(outcome: string): void {
    this.ctx.log(`done ${this.orderId}: ${outcome}`);
    this.save({ phase: "done", outcome });
  }

  /** Starts the job at the market (once, by its key), fetches the workload, launches it. */
  private async start(): Promise<void> {
    const { client, runner, state } = this.ctx;
    const order = await client.getOrder(this.orderId);
    if (order.status === "Escrowed") await client.startJob(this.orderId, stepKey(this.orderId, "start"));
    else if (order.status !== "Running") return this.reconcile(order);
    const [started, escrow, workload] = await Promise.all([
      client.getOrder(this.orderId),
      client.getEscrow(this.orderId),
      client.workload(this.orderId, stepKey(this.orderId, "workload")),
    ]);
    const startedAtMs = started.job.startedAtMs ?? this.ctx.clock.now();
    this.terms = termsOf(escrow);
    try {
      const run = await runner.launch({
        orderId: this.orderId,
        workload: workload.workload,
        gpuCount: escrow.gpuCount,
        gpuDevices: this.ctx.gpuDevices,
        jobDir: state.jobDir(this.orderId),
      });
      this.save({ phase: "running", run, startedAtMs });
      this.ctx.log(`started ${this.orderId}: ${escrow.gpuCount} GPUs, ${workload.workload?.image ?? "no workload image"}`);
    } catch (e) {
      if (!isMarketError(e)) throw e;
      // A workload this runner refuses: the job fails at once, with the reason in the log.
      this.ctx.log(`${this.orderId}: the runner refused the workload: ${e.message}`);
      this.save({ phase: "ending", startedAtMs, exit: { exitStatus: EXIT_STATUS_UNKNOWN, endedAtMs: this.ctx.clock.now() } });
    }
  }

  /** While the workload runs: a receipt when one is due; when it ended: its exit. */
  private async watch(): Promise<void> {
    const { client, runner, clock } = this.ctx;
    const run = this.record.run;
    const status = run === undefined ? ({ state: "gone" } as const) : await runner.status(run);
    if (status.state !== "running") {
      const exitStatus = status.state === "exited" ? status.exitStatus : EXIT_STATUS_UNKNOWN;
      const endedAtMs = Math.max(status.state === "exited" ? (status.endedAtMs ?? clock.now()) : clock.now(), this.record.startedAtMs ?? 0);
      this.ctx.log(`exited ${this.orderId}: workload ${status.state === "gone" ? "gone without an exit status" : `exit ${exitStatus}`}`);
      this.save({ phase: "ending", exit: { exitStatus, endedAtMs } });
      return;
    }
    const terms = this.terms ?? termsOf(await client.getEscrow(this.orderId));
    this.terms = terms;
    const latest = this.record.lastReceipt;
    const plan = planReceipt(
      { startedAtMs: this.record.startedAtMs ?? clock.now(), ...terms, latest, intervalS: this.ctx.receiptIntervalS },
      clock.now(),
    );
    if (!plan.send) {
      // Past the window: read the escrow again next time (an extension moves its end).
      if (plan.reason === "window-ended") this.terms = undefined;
      this.nextAtMs = Math.min(plan.dueAtMs ?? Infinity, clock.now() + 1000);
      return;
    }
    const telemetry = run === undefined ? undefined : await runner.telemetry?.(run);
    if (telemetry !== undefined && run !== undefined)
      appendFileSync(join(run.jobDir, USAGE_FILE), `${JSON.stringify({ atMs: plan.atMs, ...telemetry })}\n`, { mode: 0o600 });
    const sequence = Math.max(plan.sequence, this.sequenceFloor + 1);
    const receipt: UsageReceipt = signUsageReceipt({
      escrowId: terms.escrowId,
      provider: this.ctx.wallet,
      sequence,
      secondsRun: plan.secondsRun,
      atMs: plan.atMs,
      ...(telemetry === undefined ? {} : { telemetryDigest: telemetryDigest(telemetry) }),
    });
    this.sequenceFloor = sequence;
    await client.sendReceipt(this.orderId, { receipt, ...wireTelemetry(telemetry) }, stepKey(this.orderId, `receipt:${sequence}`));
    this.save({ lastReceipt: receipt });
    this.ctx.log(`receipt ${this.orderId} #${sequence}: ${receipt.secondsRun} s run`);
  }

  /** Ends the job with its attested proof: complete on exit 0, fail otherwise. */
  private async end(): Promise<void> {
    const { client, runner, wallet } = this.ctx;
    const exit = this.record.exit ?? { exitStatus: EXIT_STATUS_UNKNOWN, endedAtMs: this.ctx.clock.now() };
    let attestation = this.record.attestation;
    if (attestation === undefined) {
      const run = this.record.run;
      const proof = await executionProofOf(client, this.orderId, {
        provider: wallet.address,
        exitStatus: exit.exitStatus,
        startedAtMs: this.record.startedAtMs,
        endedAtMs: exit.endedAtMs,
        outputDigest: run === undefined ? digestOf(undefined, "stdout") : await runner.outputDigest(run),
        usageDigest: digestOf(
          run === undefined || !existsSync(join(run.jobDir, USAGE_FILE)) ? undefined : join(run.jobDir, USAGE_FILE),
          "usage",
        ),
      });
      attestation = attest({ ...proof, endedAtMs: Math.max(proof.endedAtMs, proof.startedAtMs) }, wallet);
      this.save({ attestation });
    }
    const action = exit.exitStatus === 0 ? "complete" : "fail";
    await client.endJob(this.orderId, action, attestation, stepKey(this.orderId, action));
    const seconds = Math.round((attestation.proof.endedAtMs - attestation.proof.startedAtMs) / 1000);
    if (action === "complete") {
      this.ctx.log(`completed ${this.orderId}: exit 0 after ${seconds} s, output sha256 ${attestation.proof.outputDigest}`);
      this.save({ phase: "settling" });
    } else {
      this.ctx.log(`failed ${this.orderId}: exit ${exit.exitStatus} after ${seconds} s (the buyer is refunded)`);
      this.finish("Failed (non-zero exit)");
    }
  }

  /** Settles as the provider; before the dispute window has passed, waits until it has. */
  private async settle(): Promise<void> {
    try {
      const settled = await this.ctx.client.settle(this.orderId, {}, { key: stepKey(this.orderId, "settle") });
      const s = settled.job.settlement;
      this.ctx.log(
        `settled ${this.orderId}: ${s === undefined ? settled.status : `${s.providerPayment} MOLT to the provider (fee ${s.platformFee}), ${s.buyerRefund} MOLT back to the buyer`}`,
      );
      this.finish(settled.status);
    } catch (e) {
      if (!isMarketError(e, "DISPUTE_WINDOW_OPEN")) throw e;
      if (e.details.settleableAt !== this.settleableAt)
        this.ctx.log(`waiting to settle ${this.orderId} until ${e.details.settleableAt} (the buyer's dispute window)`);
      this.settleableAt = e.details.settleableAt;
      this.nextAtMs = Math.max(Date.parse(e.details.settleableAt), this.ctx.clock.now() + 250);
    }
  }
}
