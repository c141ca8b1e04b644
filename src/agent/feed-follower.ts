// Follows the market's live feed (WebSocket GET /v1/feed?after=<seq>): hands each event to a
// callback once, in order, and reconnects after the last seq received when the connection drops,
// waiting longer after each failure (exponential backoff, capped). Opens network connections only.
import { WebSocket } from "ws";
import type { EventView } from "../contract/market-data.js";

/** Backoff of reconnections, in milliseconds: the first wait, and the longest. */
export const FEED_RECONNECT_MS = { first: 250, max: 15_000 } as const;
/** Largest feed message read; a larger one closes the connection (a feed event is far smaller). */
const FEED_MESSAGE_BYTES_MAX = 1024 * 1024;

/** The feed URL of a server (under its base path, as the client's requests are) for events after `seq`. */
export function feedUrl(baseUrl: string, seq: number): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, "")}/v1/feed`);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("after", String(seq));
  return url.toString();
}

/**
 * A reconnecting feed reader. Invariant: `onEvent` sees each seq at most once, increasing; after
 * `stop` no callback runs and no connection is open or retried.
 */
export class FeedFollower {
  private socket: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly baseUrl: string,
    private lastSeq: number,
    private readonly onEvent: (event: EventView) => void,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The last seq handed to `onEvent`. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Connects (and keeps reconnecting until stopped). */
  start(): void {
    if (this.stopped || this.socket !== undefined) return;
    const socket = new WebSocket(feedUrl(this.baseUrl, this.lastSeq), { maxPayload: FEED_MESSAGE_BYTES_MAX });
    this.socket = socket;
    socket.on("open", () => {
      if (this.failures > 0) this.log(`feed: reconnected after seq ${this.lastSeq}`);
      this.failures = 0;
    });
    socket.on("message", (data: Buffer) => {
      let event: EventView;
      try {
        event = JSON.parse(data.toString("utf8")) as EventView;
      } catch {
        return;
      }
      if (this.stopped || typeof event.seq !== "number" || event.seq <= this.lastSeq) return;
      this.lastSeq = event.seq;
      this.onEvent(event);
    });
    socket.on("error", () => {
      // "close" follows and reconnects.
    });
    socket.on("close", () => {
      if (this.socket === socket) this.socket = undefined;
      if (this.stopped) return;
      const waitMs = Math.min(FEED_RECONNECT_MS.max, FEED_RECONNECT_MS.first * 2 ** Math.min(this.failures, 16));
      this.failures++;
      if (this.failures === 1) this.log(`feed: connection lost; reconnecting`);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.start();
      }, waitMs);
    });
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.socket?.terminate();
    this.socket = undefined;
  }
}
