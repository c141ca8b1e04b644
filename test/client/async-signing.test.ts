// Signing with an AsyncSigner gives exactly what signing with a sync Signer gives (ed25519 is
// deterministic): request signatures, confirmations, disputes and receipt countersignatures, which
// the verifiers accept; a signer that returns a malformed signature is refused.
import { describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import type { AsyncSigner } from "../../src/core/signer.js";
import { verifySignature } from "../../src/contract/http-signature.js";
import { signRequest, signRequestAsync } from "../../src/contract/request-signing.js";
import { confirmAsync, countersignUsageReceiptAsync, openDisputeStatementAsync } from "../../src/client/statement-signing.js";
import { confirm, openDisputeStatement, verifyConfirmation, verifyDispute } from "../../src/settlement/statements.js";
import type { ExecutionProof } from "../../src/settlement/statements.js";
import { countersignUsageReceipt, verifyReceiptCountersign } from "../../src/settlement/usage-receipt.js";

const buyer = Wallet.generate();
/** The buyer's key behind a promise, as a browser wallet signs. */
const asyncBuyer: AsyncSigner = { address: buyer.address, sign: (message) => Promise.resolve(buyer.sign(message)) };
const proof: ExecutionProof = {
  escrowId: "esc_1",
  orderId: "ord_1",
  offerId: "off_1",
  provider: Wallet.generate().address,
  gpuModel: "H100",
  gpuCount: 2,
  startedAtMs: 1_700_000_000_000,
  endedAtMs: 1_700_000_060_000,
  exitStatus: 0,
  outputDigest: "ab".repeat(32),
  usageDigest: "cd".repeat(32),
};

describe("async signing", () => {
  it("signs requests as signRequest does, and the server's check accepts them", async () => {
    const parts = { method: "POST", path: "/v1/orders/ord_1/cancel", body: "", idempotencyKey: "key 1" };
    const nowMs = 1_800_000_000_000;
    const headers = await signRequestAsync(parts, asyncBuyer, nowMs, "BBBBBBBBBBBBBBBBBBBBBB");
    expect(headers).toEqual(signRequest(parts, buyer, nowMs, "BBBBBBBBBBBBBBBBBBBBBB"));
    expect(verifySignature(parts, { ...headers }, nowMs).nonce).toBe("BBBBBBBBBBBBBBBBBBBBBB");
    await expect(signRequestAsync(parts, asyncBuyer, nowMs, "short")).rejects.toMatchObject({ code: "INVALID_FIELD" });
  });

  it("signs confirmations, disputes and countersignatures as the sync statements do", async () => {
    const confirmation = await confirmAsync({ proof, buyer: asyncBuyer, accepted: false, billedSeconds: 30, reason: "ran 30 s" });
    expect(confirmation).toEqual(confirm({ proof, buyer, accepted: false, billedSeconds: 30, reason: "ran 30 s" }));
    expect(verifyConfirmation(confirmation)).toBe(true);
    const disputeInput = {
      id: "dsp_1",
      escrowId: "esc_1",
      reason: "no output",
      evidence: ["ef".repeat(32)],
      openedAtMs: 1_700_000_100_000,
    };
    const dispute = await openDisputeStatementAsync({ ...disputeInput, party: asyncBuyer });
    expect(dispute).toEqual(openDisputeStatement({ ...disputeInput, party: buyer }));
    expect(verifyDispute(dispute)).toBe(true);
    const receipt = { escrowId: "esc_1", sequence: 3, secondsRun: 42 };
    const countersign = await countersignUsageReceiptAsync(receipt, asyncBuyer);
    expect(countersign).toBe(countersignUsageReceipt(receipt, buyer));
    expect(verifyReceiptCountersign(receipt, buyer.address, countersign)).toBe(true);
  });

  it("refuses a signer's malformed signature and passes on its refusal", async () => {
    const short: AsyncSigner = { address: buyer.address, sign: () => Promise.resolve(new Uint8Array(63)) };
    await expect(confirmAsync({ proof, buyer: short, accepted: true, billedSeconds: 1 })).rejects.toMatchObject({
      code: "WALLET_ERROR",
      details: { reason: "the wallet gave a 63-byte signature; ed25519 signatures are 64 bytes" },
    });
    const refusing: AsyncSigner = { address: buyer.address, sign: () => Promise.reject(new Error("User rejected the request.")) };
    await expect(countersignUsageReceiptAsync({ escrowId: "esc_1", sequence: 1, secondsRun: 1 }, refusing)).rejects.toThrow(
      "User rejected the request.",
    );
  });
});
