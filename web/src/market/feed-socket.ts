// The live feed (WebSocket /v1/feed) as a hook: it resumes after the last seq it received,
// reconnects with a capped backoff after a close, and keeps the newest `keepMax` events only.
import { useEffect, useState } from "preact/hooks";
import type { EventView, HealthView } from "../../../src/contract/market-data.js";
import { getJson } from "../api.js";

/** Named bounds of the tape. */
export const FEED_TAPE_LIMITS = {
  /** Events shown at most (newest first). */
  keepMax: 100,
  /** Events of the past replayed when the page opens. */
  replayCount: 25,
  /** Longest wait before a reconnect. */
  backoffMsMax: 15_000,
} as const;

/** The feed's state: newest events first, and whether the socket is open. */
export interface FeedState {
  readonly events: readonly EventView[];
  readonly connected: boolean;
}

function feedUrl(after: number): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/v1/feed?after=${after}`;
}

/** Follows the market's live feed while mounted. Invariant: no event shown twice, at most keepMax shown. */
export function useFeed(): FeedState {
  const [state, setState] = useState<FeedState>({ events: [], connected: false });
  useEffect(() => {
    let socket: WebSocket | undefined;
    let stopped = false;
    let lastSeq = -1;
    let backoffMs = 500;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const open = (after: number): void => {
      if (stopped) return;
      socket = new WebSocket(feedUrl(after));
      socket.onopen = () => {
        backoffMs = 500;
        setState((s) => ({ ...s, connected: true }));
      };
      socket.onmessage = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as EventView;
        if (event.seq <= lastSeq) return;
        lastSeq = event.seq;
        setState((s) => ({ ...s, events: [event, ...s.events].slice(0, FEED_TAPE_LIMITS.keepMax) }));
      };
      socket.onclose = () => {
        setState((s) => ({ ...s, connected: false }));
        if (stopped) return;
        timer = setTimeout(() => {
          open(Math.max(lastSeq, 0));
        }, backoffMs);
        backoffMs = Math.min(backoffMs * 2, FEED_TAPE_LIMITS.backoffMsMax);
      };
    };

    getJson<HealthView>("/healthz").then(
      (health) => {
        lastSeq = Math.max(0, health.seq - FEED_TAPE_LIMITS.replayCount);
        open(lastSeq);
      },
      () => {
        lastSeq = 0;
        open(0);
      },
    );
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      socket?.close();
    };
  }, []);
  return state;
}
