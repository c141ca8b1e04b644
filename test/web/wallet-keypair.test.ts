// Importing a Solana CLI keypair file into the page: a file written by the CLI's Wallet signs what
// verifySigned and the server's request check accept, exactly as the Wallet signs; a file whose
// halves do not match, or that is not a keypair, is refused in plain words.
import { describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { verifySigned } from "../../src/core/signer.js";
import { verifySignature } from "../../src/contract/http-signature.js";
import { signRequest, signRequestAsync } from "../../src/contract/request-signing.js";
import { importKeypair } from "../../web/src/wallet/keypair-signer.js";
import { savedKeypair } from "./support/keypairs.js";

describe("importKeypair", () => {
  it("a file the CLI wrote signs, for the wallet's address, what verifySigned and verifySignature accept", async () => {
    const { wallet, fileText } = savedKeypair();
    const signer = await importKeypair(fileText);
    expect(signer.address).toBe(wallet.address);
    const message = new TextEncoder().encode("statement bytes");
    const signature = await signer.sign(message);
    expect(verifySigned(wallet.address, message, signature)).toBe(true);
    expect(Array.from(signature)).toEqual(Array.from(wallet.sign(message))); // ed25519 is deterministic: the same key
    const parts = { method: "POST", path: "/v1/orders", body: '{"a":1}', idempotencyKey: "k-1" };
    const nowMs = Date.now();
    const headers = await signRequestAsync(parts, signer, nowMs, "AAAAAAAAAAAAAAAAAAAAAA");
    expect(headers).toEqual(signRequest(parts, wallet, nowMs, "AAAAAAAAAAAAAAAAAAAAAA"));
    expect(verifySignature(parts, { ...headers }, nowMs).keyid).toBe(wallet.address);
  });

  it("refuses a file whose public half is another key's, and files that are not keypairs", async () => {
    const { fileText } = savedKeypair();
    const bytes = JSON.parse(fileText) as number[];
    const mismatched = JSON.stringify([...bytes.slice(0, 32), ...Wallet.generate().publicKey]);
    await expect(importKeypair(mismatched)).rejects.toMatchObject({
      code: "WALLET_ERROR",
      details: {
        reason:
          "this file is not a Solana keypair: its public half (the last 32 bytes) is not the public key of its secret half (the first 32)",
      },
    });
    for (const [text, reason] of [
      ["{not json", /not JSON/],
      [JSON.stringify(bytes.slice(1)), /a JSON array of 64 numbers/],
      [JSON.stringify({ secretKey: bytes }), /a JSON array of 64 numbers/],
      [JSON.stringify([256, ...bytes.slice(1)]), /entry 0 is 256, not a byte/],
      [JSON.stringify([...bytes.slice(0, 63), 1.5]), /entry 63 is 1.5, not a byte/],
      [" ".repeat(5000), /longer than 4096 characters/],
    ] as const) {
      await expect(importKeypair(text)).rejects.toMatchObject({ code: "WALLET_ERROR", details: { reason } });
    }
  });
});
