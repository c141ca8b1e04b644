// The provider agent: a long-running loop next to the provider's GPUs that serves the orders of its
// offers with no hand-typed job command. It follows the market's live feed (and re-scans the
// provider's matches every RESCAN_INTERVAL_MS, so a missed event never strands a job), takes each
// funded order of its offers, and steps its JobDriver: start, launch, receipts, end, settle. Its
// state directory lets a restarted agent carry on. Stopping leaves workloads running, detached.
import type { EventView } from "../contract/market-data.js";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import type { Signer } from "../core/signer.js";
import { AgentStateDir } from "./agent-state.js";
import type { JobRecord } from "./agent-state.js";
import { FeedFollower } from "./feed-follower.js";
import { JobDriver } from "./job-driver.js";
import type { AgentMarket } from "./job-driver.js";
import { RECEIPT_INTERVAL_S_DEFAULT } from "./receipt-schedule.js";
import type { Runner } from "./runner.js";

/** How often the agent re-reads the provider's matches, in milliseconds. */
export const RESCAN_INTERVAL_MS = 15_000;
/** How often the agent looks at its jobs for a due step, in milliseconds. */
export const TICK_INTERVAL_MS = 250;
/** Backoff while the server does not answer at start, in milliseconds. */
export const SERVER_RETRY_MS = { first: 500, max: 15_000 } as const;
/** Jobs one agent drives at once; more funded orders wait for a slot (a provider's GPUs bound them long before). */
export const AGENT_JOBS_MAX = 256;

/** How an agent is set up. */
export interface AgentOptions {
  /** The market, signed by the provider's wallet. */
  readonly client: AgentMarket;
  /** The server's base URL (for the live feed). */
  readonly baseUrl: string;
  readonly wallet: Signer;
  readonly runner: Runner;
  /** The job records' folder. */
  readonly stateDir: string;
  /** The offers to serve; all of the provider's when empty or absent. */
  readonly offers?: readonly string[] | undefined;
  /** Seconds between a job's usage receipts (default RECEIPT_INTERVAL_S_DEFAULT). */
  readonly receiptIntervalS?: number | undefined;
  /** The host's GPU devices handed to workloads (indexes or UUIDs), when the provider says which. */
  readonly gpuDevices?: readonly string[] | undefined;
  readonly clock?: Clock;
  /** One line per step taken. */
  readonly log?: (line: string) => void;
  readonly rescanIntervalMs?: number;
}

/**
 * The agent. Invariants: one JobDriver per order, stepped one step at a time; every order it drives
 * is matched to one of its offers and funded when it is taken; `stop` returns only when no step is in flight.
 */
export class ProviderAgent {
  private readonly drivers = new Map<string, JobDriver>();
  private readonly busy = new Map<string, Promise<void>>();
  private readonly state: AgentStateDir;
  private readonly log: (line: string) => void;
  private readonly clock: Clock;
  private readonly checking = new Set<string>();
  private feed: FeedFollower | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  private stopped = false;
  /** Ends the wait for the server early (stop). */
  private wake: () => void = () => undefined;

  constructor(private readonly options: AgentOptions) {
    this.state = new AgentStateDir(options.stateDir);
    this.log = options.log ?? (() => undefined);
    this.clock = options.clock ?? systemClock;
  }

  /** The orders it drives now. */
  get jobs(): readonly string[] {
    return [...this.drivers.keys()];
  }

  /**
   * Picks up its saved jobs, waits for the server (retrying with backoff until it answers or the
   * agent is stopped), follows the feed, scans its matches, and starts stepping. Never throws.
   */
  async start(): Promise<void> {
    for (const record of this.state.list((file, reason) => {
      this.log(`state: skipped ${file}: ${reason}`);
    })) {
      if (record.phase === "done") continue;
      this.drivers.set(record.orderId, this.driver(record));
      this.log(`resumed ${record.orderId}: ${record.phase}${record.run === undefined ? "" : `, re-attaching to its workload`}`);
    }
    const seq = await this.serverSeq();
    if (seq === undefined || this.halted()) return;
    this.feed = new FeedFollower(
      this.options.baseUrl,
      seq,
      (event) => {
        this.onEvent(event);
      },
      this.log,
    );
    this.feed.start();
    await this.scan();
    if (this.halted()) return;
    this.timers = [
      setInterval(() => {
        this.tick();
      }, TICK_INTERVAL_MS),
      setInterval(() => void this.scan(), this.options.rescanIntervalMs ?? RESCAN_INTERVAL_MS),
    ];
    this.tick();
  }

  /** Has `stop` been called (a method, so no narrowing survives an await). */
  private halted(): boolean {
    return this.stopped;
  }

  /** The server's last event seq, asked until it answers; undefined when the agent was stopped first. */
  private async serverSeq(): Promise<number | undefined> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        return (await this.options.client.health()).seq;
      } catch (e) {
        if (attempt === 0) this.failed("server", e);
        const waitMs = Math.min(SERVER_RETRY_MS.max, SERVER_RETRY_MS.first * 2 ** Math.min(attempt, 16));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    return undefined;
  }

  /** Stops following and stepping, waits for the steps in flight, and leaves workloads running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.feed?.stop();
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.busy.values()]);
    const running = [...this.drivers.values()].filter((d) => !d.done).length;
    this.log(`stopped; ${running} job(s) left to a restart (their workloads keep running)`);
  }

  private driver(record: JobRecord): JobDriver {
    const { client, wallet, runner, gpuDevices } = this.options;
    return new JobDriver(record, {
      client,
      wallet,
      runner,
      state: this.state,
      receiptIntervalS: this.options.receiptIntervalS ?? RECEIPT_INTERVAL_S_DEFAULT,
      gpuDevices,
      clock: this.clock,
      log: this.log,
    });
  }

  private serves(offerId: string): boolean {
    const offers = this.options.offers ?? [];
    return offers.length === 0 || offers.includes(offerId);
  }

  /** Steps every job that is due and not already stepping; forgets finished ones. */
  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (const [orderId, driver] of this.drivers) {
      if (driver.done && !this.busy.has(orderId)) {
        this.drivers.delete(orderId);
        continue;
      }
      if (this.busy.has(orderId) || !driver.due(now)) continue;
      const step = driver.advance().finally(() => {
        this.busy.delete(orderId);
      });
      this.busy.set(orderId, step);
    }
  }

  /** A funded (or running) order of one of its offers becomes a job, once. */
  private async consider(orderId: string): Promise<void> {
    if (this.stopped || this.drivers.has(orderId) || this.checking.has(orderId) || this.drivers.size >= AGENT_JOBS_MAX) return;
    this.checking.add(orderId);
    try {
      if (this.state.load(orderId)?.phase === "done") return;
      const order = await this.options.client.getOrder(orderId);
      const match = order.match;
      if (match === null || match.providerId !== this.options.wallet.address || !this.serves(match.offerId)) return;
      if (order.status !== "Escrowed" && order.status !== "Running") return;
      // Stopped meanwhile: the record is written anyway, so the next start takes the job.
      if (this.drivers.has(orderId)) return;
      const record = { orderId, offerId: match.offerId, phase: "starting" as const };
      this.state.save(record);
      this.drivers.set(orderId, this.driver(record));
      this.log(`funded ${orderId}: offer ${match.offerId}, ${match.gpuCount} GPUs for ${match.hours} h (${match.totalCost} MOLT)`);
      this.tick();
    } finally {
      this.checking.delete(orderId);
    }
  }

  private onEvent(event: EventView): void {
    if (!event.type.startsWith("Order") && event.type !== "SettlementDue") return;
    const driver = this.drivers.get(event.entityId);
    if (driver !== undefined) driver.marketChanged();
    else if (event.type === "OrderEscrowed")
      void this.consider(event.entityId).catch((e: unknown) => {
        this.failed("feed", e);
      });
  }

  /** Reads the provider's matches: takes funded ones it does not drive yet, and re-reads the ones it does. */
  private async scan(): Promise<void> {
    if (this.stopped) return;
    try {
      const matches = await this.options.client.matches({ provider: this.options.wallet.address });
      for (const match of matches) {
        const driver = this.drivers.get(match.orderId);
        if (driver !== undefined) driver.marketChanged();
        else if (this.serves(match.offerId)) await this.consider(match.orderId);
      }
      for (const driver of this.drivers.values()) driver.marketChanged();
    } catch (e) {
      this.failed("scan", e);
    }
  }

  private failed(what: string, e: unknown): void {
    this.log(`${what}: ${e instanceof Error ? e.message : String(e)} (retrying)`);
  }
}
