// The money side of `molt-market`: escrow fund / show / refund, job start / complete / fail, settle,
// dispute open / decide / resolve, and offer list. Proofs, confirmations and disputes are signed
// with the wallet here; chain transactions are checked and co-signed here too, never by the server.
// Talks HTTP through MarketClient; proofs and file digests come from job-proof, text from job-text.
import type { ChainStepProgress } from "../client/chain-steps.js";
import type { MarketClient } from "../client/client.js";
import type { Wallet } from "../chain/wallet.js";
import { MarketError } from "../core/errors.js";
import { newDisputeId } from "../core/ids.js";
import { proofSeconds } from "../settlement/settle-job.js";
import { attest, confirm, openDisputeStatement } from "../settlement/statements.js";
import { digestOf } from "../agent/execution-proof.js";
import { proofOf } from "./job-proof.js";
import { escrowText, offerTable, settlementText } from "./job-text.js";
import { requiredFlag, wholeNumberFlag } from "./process.js";
import { describeChainProgress } from "./progress.js";
import type { Progress } from "./progress.js";

/** The options the money commands read. */
export interface JobOptions {
  readonly key?: string | undefined;
  readonly mine?: boolean | undefined;
  readonly provider?: string | undefined;
  readonly model?: string | undefined;
  readonly limit?: string | undefined;
  readonly output?: string | undefined;
  readonly usage?: string | undefined;
  readonly started?: string | undefined;
  readonly ended?: string | undefined;
  readonly exit?: string | undefined;
  readonly hours?: string | undefined;
  readonly reject?: string | undefined;
  readonly reason?: string | undefined;
  readonly evidence?: readonly string[] | undefined;
  readonly "provider-share"?: string | undefined;
}

/** What the money commands get from the CLI around them. */
export interface JobContext {
  readonly client: (signed: boolean) => MarketClient;
  readonly wallet: () => Wallet;
  readonly print: (value: unknown, text: string) => string;
  readonly progress: Progress;
  readonly options: JobOptions;
}

/** A --hours flag of settle: a decimal number of hours, e.g. 1.5. @throws INVALID_FIELD */
function hoursFlag(text: string): number {
  if (!/^\d{1,6}(\.\d{1,9})?$/.test(text))
    throw new MarketError("INVALID_FIELD", {
      field: "--hours",
      value: JSON.stringify(text),
      allowed: "a number of hours, e.g. --hours 1.5",
    });
  return Number(text);
}

/** Hours as the decimal string the API takes, exact to the second. */
function hoursOf(seconds: number): string {
  return (seconds / 3600).toFixed(9);
}

/**
 * Runs a money command; resolves to what it prints, or undefined when `command action` is not one.
 * @throws MarketError (the server's, or bad flags)
 */
export async function runJobCommand(
  ctx: JobContext,
  command: string,
  action: string,
  target: string | undefined,
): Promise<string | undefined> {
  const { options, print } = ctx;
  const orderId = (): string => requiredFlag(target, "ORDER_ID");
  const chainProgress = (what: string) => ({
    ...(options.key === undefined ? {} : { key: options.key }),
    onProgress: (p: ChainStepProgress) => {
      ctx.progress.step(describeChainProgress(what, p));
    },
  });
  const finish = <T>(promise: Promise<T>): Promise<T> =>
    promise.finally(() => {
      ctx.progress.end();
    });

  if (command === "offer" && action === "list") {
    const provider = options.mine === true ? ctx.wallet().address : options.provider;
    const offers = await ctx.client(false).listOffers({
      ...(provider === undefined ? {} : { provider }),
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(options.limit === undefined ? {} : { limit: wholeNumberFlag(options.limit, "--limit", "20") }),
    });
    return print({ offers }, offerTable(offers));
  }
  if (command === "escrow" && action === "fund") {
    const escrow = await finish(ctx.client(true).fundEscrow(orderId(), chainProgress("escrow")));
    return print(escrow, escrowText(escrow));
  }
  if (command === "escrow" && action === "show") {
    const escrow = await ctx.client(false).getEscrow(orderId());
    return print(escrow, escrowText(escrow));
  }
  if (command === "escrow" && action === "refund") {
    const order = await finish(ctx.client(true).refund(orderId(), chainProgress("refund")));
    return print(order, settlementText(order));
  }
  if (command === "job" && action === "start") {
    const result = await ctx.client(true).startJob(orderId(), options.key);
    return print(result, `order ${result.orderId}: ${result.status}`);
  }
  if (command === "job" && action === "extend") {
    const hours = wholeNumberFlag(options.hours, "--hours", "2");
    if (hours < 1)
      throw new MarketError("INVALID_FIELD", {
        field: "--hours",
        value: JSON.stringify(options.hours),
        allowed: "a whole number of hours, 1 or more",
      });
    const extended = await finish(ctx.client(true).extendJob(orderId(), hours, chainProgress("extension")));
    return print(
      extended,
      `order ${extended.orderId}: extended by ${extended.addedHours} h, ${extended.addedMolt} MOLT added to escrow ${extended.escrowId} (${extended.amount} MOLT held, ${extended.allocatedSeconds / 3600} h allocated)\n  locked until ${extended.lockedUntil}`,
    );
  }
  if (command === "job" && (action === "complete" || action === "fail")) {
    const exitText = action === "complete" ? "0" : requiredFlag(options.exit, "--exit", "1");
    const exitStatus = /^-?\d{1,10}$/.test(exitText) ? Number(exitText) : Number.NaN;
    if (!Number.isInteger(exitStatus) || (action === "fail" && exitStatus === 0)) {
      throw new MarketError("INVALID_FIELD", {
        field: "--exit",
        value: JSON.stringify(options.exit),
        allowed: "the job's non-zero exit status (a job that exited 0 completes)",
      });
    }
    const proof = await proofOf(ctx, orderId(), exitStatus);
    const result = await ctx.client(true).endJob(proof.orderId, action, attest(proof, ctx.wallet()), options.key);
    return print(
      { ...result, proof },
      `order ${result.orderId}: ${result.status}\n  proof: ${proofSeconds(proof)} s from ${new Date(proof.startedAtMs).toISOString()}, exit ${exitStatus}, output sha256 ${proof.outputDigest}`,
    );
  }
  if (command === "settle") {
    const id = requiredFlag(action === "" ? undefined : action, "ORDER_ID");
    const client = ctx.client(true);
    const [order, escrow] = await Promise.all([client.getOrder(id), client.getEscrow(id)]);
    if (order.status === "Failed" && order.job.failure?.secondsRun !== undefined) {
      // A lost or timed-out job pays its receipted seconds: no proof to confirm.
      const paid = await finish(client.settle(id, {}, chainProgress("settlement")));
      return print(paid, settlementText(paid));
    }
    const attestation = order.job.attestation;
    if (attestation === undefined || order.status !== "Completed")
      throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: order.status, to: "Settled", id });
    const ran = proofSeconds(attestation.proof);
    const seconds = options.hours === undefined ? ran : Math.round(hoursFlag(options.hours) * 3600);
    const wallet = ctx.wallet();
    const confirmation =
      wallet.address === escrow.buyer
        ? confirm({
            proof: attestation.proof,
            buyer: wallet,
            accepted: options.reject === undefined,
            billedSeconds: Math.min(seconds, escrow.allocatedSeconds),
            ...(options.reject === undefined ? {} : { reason: options.reject }),
          })
        : undefined;
    const settled = await finish(
      client.settle(
        id,
        {
          ...(options.hours === undefined ? {} : { actualHours: hoursOf(seconds) }),
          ...(confirmation === undefined ? {} : { confirmation }),
        },
        chainProgress("settlement"),
      ),
    );
    return print(settled, settlementText(settled));
  }
  if (command === "dispute" && action === "open") {
    const id = orderId();
    const escrow = await ctx.client(false).getEscrow(id);
    const statement = openDisputeStatement({
      id: newDisputeId(Date.now()),
      escrowId: escrow.escrowId,
      party: ctx.wallet(),
      reason: requiredFlag(options.reason, "--reason", '"the job stopped after 10 minutes"'),
      evidence: (options.evidence ?? []).map((file) => digestOf(file, "--evidence")),
      openedAtMs: Date.now(),
    });
    const result = await ctx.client(true).openDispute(id, statement, options.key);
    return print(
      { ...result, disputeId: statement.id },
      `order ${result.orderId}: ${result.status} (dispute ${statement.id}); the arbiter decides the split`,
    );
  }
  if (command === "dispute" && action === "decide") {
    const result = await ctx
      .client(true)
      .decideDispute(
        orderId(),
        { providerShare: requiredFlag(options["provider-share"], "--provider-share"), reason: requiredFlag(options.reason, "--reason") },
        options.key,
      );
    return print(
      result,
      `order ${result.orderId}: decided, ${result.job.decision?.providerShare ?? "?"} MOLT to the provider (fee included); the buyer or the provider accepts it with \`molt-market dispute resolve ${result.orderId}\``,
    );
  }
  if (command === "dispute" && action === "resolve") {
    const resolved = await finish(ctx.client(true).acceptDecision(orderId(), chainProgress("resolution")));
    return print(resolved, settlementText(resolved));
  }
  return undefined;
}
