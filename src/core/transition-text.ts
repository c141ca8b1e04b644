// The words of a refused lifecycle step (INVALID_STATE_TRANSITION): where the order, offer or escrow
// is, and what to do next instead of the bare "cannot go from A to B". Pure, no I/O.

/** The details of a refused step: the entity, its status, the status asked for, and its id when known. */
export interface TransitionDetails {
  readonly entity: "order" | "offer" | "escrow";
  readonly from: string;
  readonly to: string;
  readonly id?: string;
}

const DONE: ReadonlySet<string> = new Set(["Settled", "Refunded", "Resolved"]);
const FUNDED: ReadonlySet<string> = new Set(["Escrowed", "Running", "Completed", "Failed", "Disputed"]);

/** What to do about an order in `from` asked to go to `to`, or undefined when no rule says more. */
function orderAdvice(from: string, to: string): string | undefined {
  if (from === to) return `it is ${from.toLowerCase()} already`;
  if (DONE.has(from)) return `its job is over and paid out (${from.toLowerCase()}); nothing more happens to it`;
  if (from === "Cancelled" || from === "Expired")
    return `it ended ${from === "Expired" ? "unmatched or unfunded" : "before it ran"}; submit a new order`;
  switch (to) {
    case "Cancelled":
      return FUNDED.has(from)
        ? "its escrow is funded, so it is not cancelled: the job runs, or fails and its escrow is refunded"
        : undefined;
    case "Escrowed":
      return from === "Pending" || from === "unmatched"
        ? "it has no match yet: it is funded once an offer matches it"
        : "its escrow is funded already";
    case "Running":
      return from === "Matched" ? "the buyer has not funded its escrow yet: the job starts after the funding" : undefined;
    case "Completed":
    case "Failed":
      return from === "Escrowed"
        ? "the job has not started: the provider starts it first"
        : from === "Matched"
          ? "the buyer has not funded its escrow yet"
          : undefined;
    case "Settled":
      if (from === "Running" || from === "Escrowed" || from === "not completed") return "settle it after the provider completes it";
      if (from === "Matched") return "fund its escrow first; it settles after the job completes";
      if (from === "Pending") return "it has no match yet; it settles after its job completes";
      if (from === "Failed") return "its job failed without receipted usage: the buyer has the escrow refunded instead";
      if (from === "Disputed") return "the market's arbiter decides the split, then a party accepts it";
      return undefined;
    case "Refunded":
      if (from === "Running" || from === "Escrowed")
        return "a refund comes after the job fails, or once the escrow's lock ends without a completion";
      if (from === "Completed") return "the job completed: settle it, or dispute it within the dispute window";
      return undefined;
    case "Disputed":
      return "only a Completed or Failed job is disputed, within the dispute window";
    case "Resolved":
      return "only a Disputed order with the arbiter's decision is resolved";
    default:
      return undefined;
  }
}

/** What to do about an offer in `from` asked to go to `to`, or undefined when no rule says more. */
function offerAdvice(from: string, to: string): string | undefined {
  if (from === to) return `it is ${from === "Active" ? "active" : from.toLowerCase()} already`;
  if (from === "Withdrawn" || from === "Expired") return `it is ${from.toLowerCase()}: list a new offer instead`;
  return undefined;
}

/**
 * The message of a refused lifecycle step: "order ord_1 is Running: settle it after the provider
 * completes it". Invariant: names the entity, its id when known, and its status; says what to do
 * when a rule does, else which step was refused. Pure.
 */
export function transitionText(d: TransitionDetails): string {
  const what = `${d.entity}${d.id === undefined ? "" : ` ${d.id}`} is ${d.from}`;
  const advice = d.entity === "order" ? orderAdvice(d.from, d.to) : d.entity === "offer" ? offerAdvice(d.from, d.to) : undefined;
  return advice === undefined ? `${what}: it cannot go to ${d.to}` : `${what}: ${advice}`;
}
