// The wire contract of a provider's reputation: its outcome counts, uptime, estimate, the prior and
// the recent outcomes the estimate is folded from. Schemas only; pure.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { AddressText } from "./common.js";

/** GET /v1/providers/{address}: the provider's address. */
export const ProviderParams = Type.Object({ address: AddressText });

const OutcomeName = Type.Union(
  ["settled", "disputeWon", "disputeLost", "failedExitStatus", "lost", "timedOut"].map((name) => Type.Literal(name)),
  { description: "what ended a job: settled, disputeWon, disputeLost, failedExitStatus, lost (ProviderLost), timedOut" },
);

/** A provider's reputation as the market folds it from its event log (the same on every node). */
export const ProviderBody = Type.Object({
  providerId: Type.String(),
  counts: Type.Object({
    settled: Type.Integer(),
    disputeWon: Type.Integer(),
    disputeLost: Type.Integer(),
    failedExitStatus: Type.Integer(),
    lost: Type.Integer(),
    timedOut: Type.Integer(),
  }),
  uptime: Type.Union([Type.Number(), Type.Null()], {
    description: "receipted seconds / allocated seconds of its finished jobs that had usage receipts (null: none had)",
  }),
  estimate: Type.Number({ description: "(α0 + s) / (α0 + β0 + s + f), in [0, 1]: the reputation part of the match score" }),
  successWeight: Type.Number({ description: "s: the decayed weight of its successes, as of latestAtMs" }),
  failureWeight: Type.Number({ description: "f: the decayed weight of its failures, as of latestAtMs" }),
  prior: Type.Object({
    successes: Type.Number({ description: "α0" }),
    failures: Type.Number({ description: "β0" }),
    halfLifeMs: Type.Integer({ description: "an outcome's weight halves every halfLifeMs before the provider's latest outcome" }),
  }),
  latestAtMs: Type.Union([Type.Integer(), Type.Null()]),
  recent: Type.Array(Type.Object({ orderId: Type.String(), outcome: OutcomeName, atMs: Type.Integer() }), {
    description: "newest first, a bounded list",
  }),
});
/** A provider's reputation on the wire. */
export type ProviderView = Static<typeof ProviderBody>;
