// An order's next step: who acts, what they do, by when, and the command that does it, from the
// order as GET /v1/orders/{id} answers it (status, job, deadlines). Shared by the CLI and the
// dashboard: pure, no I/O, no node: import (the browser bundles it).
import type { OrderDetails } from "./orders.js";

/** Who acts next on an order: its buyer, its provider, either party, or nobody (it waits, or it is done). */
export type NextActor = "buyer" | "provider" | "anyone" | "nobody";

/** The next step of an order, as a viewer reads it. */
export interface NextStep {
  readonly actor: NextActor;
  /** fund, start, complete, settle, refund, resolve, wait (for someone else or the market), or done. */
  readonly action: string;
  /** ISO 8601: when the step is due (the market acts then), or null without a deadline. */
  readonly deadline: string | null;
  /** The step in words, with its deadline and, for the viewer who takes it, the command. */
  readonly text: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** A duration in words, rounded up to the unit shown: "40 s", "12 min", "3 h 5 min", "2 d 4 h". Negative counts as 0. */
export function durationText(ms: number): string {
  const rest = Math.max(0, Math.ceil(ms / 1000) * 1000);
  if (rest < MINUTE_MS) return `${rest / 1000} s`;
  if (rest < HOUR_MS) return `${Math.ceil(rest / MINUTE_MS)} min`;
  if (rest < DAY_MS) {
    const minutes = Math.ceil((rest % HOUR_MS) / MINUTE_MS);
    return minutes === 60
      ? `${Math.floor(rest / HOUR_MS) + 1} h`
      : `${Math.floor(rest / HOUR_MS)} h${minutes === 0 ? "" : ` ${minutes} min`}`;
  }
  const hours = Math.floor((rest % DAY_MS) / HOUR_MS);
  return `${Math.floor(rest / DAY_MS)} d${hours === 0 ? "" : ` ${hours} h`}`;
}

/** A deadline in words relative to `nowMs`: "within 12 min", "passed 3 min ago", or "" without one. */
export function deadlineText(deadline: string | null, nowMs: number): string {
  if (deadline === null) return "";
  const left = Date.parse(deadline) - nowMs;
  return left > 0 ? `within ${durationText(left)}` : `passed ${durationText(-left)} ago`;
}

/** The role of `viewer` on `order`: its buyer, its matched provider, or neither. */
function roleOf(order: OrderDetails, viewer: string | undefined): NextActor {
  if (viewer === undefined) return "nobody";
  if (viewer === order.buyerId) return "buyer";
  return viewer === order.match?.providerId ? "provider" : "nobody";
}

/**
 * The next step of `order` for `viewer` (an address, or undefined for anyone) at `nowMs`.
 * Invariant: the actor and deadline depend on the order alone; only the text changes with the
 * viewer (the command for whoever acts, what they wait for otherwise). Every status has a step.
 */
export function nextStepOf(order: OrderDetails, viewer: string | undefined, nowMs: number): NextStep {
  const id = order.orderId;
  const { fundBy, lockedUntil, disputeUntil, receiptDueBy } = order.deadlines;
  const role = roleOf(order, viewer);
  const step = (actor: NextActor, action: string, deadline: string | null, mine: string, theirs: string): NextStep => {
    const when = deadlineText(deadline, nowMs);
    const acting = actor === "anyone" ? role !== "nobody" : role === actor;
    const text = acting ? mine.replace("{when}", when === "" ? "" : ` ${when}`) : theirs.replace("{when}", when === "" ? "" : ` ${when}`);
    return { actor, action, deadline, text };
  };
  switch (order.status) {
    case "Pending":
      return {
        actor: "nobody",
        action: "wait",
        deadline: null,
        text: `resting until an offer fits${role === "buyer" ? `; cancel it with: molt-market order cancel ${id}` : ""}`,
      };
    case "Matched":
      if (fundBy !== null && Date.parse(fundBy) <= nowMs)
        return step(
          "nobody",
          "wait",
          fundBy,
          "the funding window closed: the match expires at the next sweep",
          "the funding window closed: the match expires at the next sweep",
        );
      return step("buyer", "fund", fundBy, `fund the escrow{when}: molt-market escrow fund ${id}`, "the buyer funds the escrow{when}");
    case "Escrowed":
      return step(
        "provider",
        "start",
        receiptDueBy,
        `start the job{when}: molt-market job start ${id} (or run molt-market provider run)`,
        "the provider starts the job{when}, or it fails ProviderLost",
      );
    case "Running":
      return step(
        "provider",
        "complete",
        lockedUntil,
        `complete the job{when}: molt-market job complete ${id}; send usage receipts meanwhile${receiptDueBy === null ? "" : ` (next ${deadlineText(receiptDueBy, nowMs)})`}`,
        `the job runs; the provider completes it{when}${receiptDueBy === null ? "" : ` and sends its next usage receipt ${deadlineText(receiptDueBy, nowMs)}`}`,
      );
    case "Completed":
      if (disputeUntil !== null && Date.parse(disputeUntil) <= nowMs)
        return step("anyone", "settle", null, `settle it: molt-market settle ${id}`, "a party settles it; the dispute window has closed");
      return role === "provider"
        ? step(
            "buyer",
            "settle",
            disputeUntil,
            "",
            `the buyer confirms and settles, or disputes{when}; after that you settle it: molt-market settle ${id}`,
          )
        : step(
            "buyer",
            "settle",
            disputeUntil,
            `confirm and settle: molt-market settle ${id}; or dispute{when}: molt-market dispute open ${id} --reason TEXT`,
            "the buyer confirms and settles, or disputes{when}; then the provider settles",
          );
    case "Failed": {
      const receipted = order.job.failure?.secondsRun !== undefined;
      return receipted
        ? step(
            "anyone",
            "settle",
            disputeUntil,
            `pay out the receipted seconds: molt-market settle ${id} (dispute{when}: molt-market dispute open ${id})`,
            "a party pays out the receipted seconds",
          )
        : step(
            "buyer",
            "refund",
            disputeUntil,
            `have the escrow refunded: molt-market escrow refund ${id} (dispute{when}: molt-market dispute open ${id})`,
            "the buyer has the escrow refunded",
          );
    }
    case "Disputed":
      return order.job.decision === undefined
        ? step("nobody", "wait", null, "the market's arbiter decides the split", "the market's arbiter decides the split")
        : step(
            "anyone",
            "resolve",
            null,
            `accept the arbiter's decision (${order.job.decision.providerShare} MOLT to the provider): molt-market dispute resolve ${id}`,
            "a party accepts the arbiter's decision",
          );
    default:
      return step(
        "nobody",
        "done",
        null,
        `none: the order is ${order.status.toLowerCase()}`,
        `none: the order is ${order.status.toLowerCase()}`,
      );
  }
}
