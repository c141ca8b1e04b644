// VerifyPool: worker threads answer exactly what verifySigned answers on the calling thread, for
// valid, forged, truncated and foreign signatures, batched or not; a worker that dies has its jobs
// checked on the calling thread; past its bound, after close and for a job alone while the workers
// are idle it verifies inline; the app built
// with verifyThreads accepts a signed request and refuses a forged one.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/chain/wallet.js";
import { verifySigned } from "../../src/core/signer.js";
import { VERIFY_POOL_LIMITS, VerifyPool } from "../../src/server/verify-pool.js";
import type { Address } from "../../src/core/address.js";

const wallets = Array.from({ length: 4 }, () => Wallet.generate());
const pools: VerifyPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});

function pool(threads: number): VerifyPool {
  const started = VerifyPool.start(threads);
  pools.push(started);
  return started;
}

/** A random message signed by wallets[i], its signature, and the signature with one bit flipped. */
function signed(i: number): {
  readonly wallet: Wallet;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly forged: Uint8Array;
} {
  const wallet = wallets[i] as Wallet;
  const message = randomBytes(32);
  const signature = wallet.sign(message);
  const forged = Uint8Array.from(signature);
  forged[0] = (forged[0] ?? 0) ^ 1;
  return { wallet, message, signature, forged };
}

/** A job: a message signed by one wallet, then maybe forged (another signer, a flipped bit, a cut signature). */
const jobs = fc.array(
  fc.record({
    signer: fc.nat(wallets.length - 1),
    claimed: fc.nat(wallets.length - 1),
    message: fc.uint8Array({ minLength: 0, maxLength: 600 }),
    flip: fc.option(fc.nat(), { nil: undefined }),
    cut: fc.boolean(),
  }),
  { minLength: 1, maxLength: 40 },
);

describe("VerifyPool", () => {
  it("answers what verifySigned answers, for every job of a batch", async () => {
    const verifier = pool(2);
    await fc.assert(
      fc.asyncProperty(jobs, async (cases) => {
        const prepared = cases.map(({ signer, claimed, message, flip, cut }) => {
          const signature = (wallets[signer] as Wallet).sign(message);
          if (flip !== undefined) signature[flip % 64] = (signature[flip % 64] ?? 0) ^ 1;
          return { address: (wallets[claimed] as Wallet).address, message, signature: cut ? signature.subarray(0, 63) : signature };
        });
        const answers = await Promise.all(prepared.map(async (job) => verifier.verify(job.address, job.message, job.signature)));
        expect(answers).toEqual(prepared.map((job) => verifySigned(job.address, job.message, job.signature)));
      }),
      { numRuns: 60 },
    );
    expect(verifier.size).toBe(2);
  });

  it("verifies a job alone in its turn here while the workers are idle, and sends jobs that come together to a worker", async () => {
    const verifier = pool(1);
    const { wallet, message, signature, forged } = signed(0);
    expect(await verifier.verify(wallet.address, message, signature)).toBe(true);
    expect(await verifier.verify(wallet.address, message, forged)).toBe(false);
    expect(verifier.messages).toBe(0);
    const together = [verifier.verify(wallet.address, message, signature), verifier.verify(wallet.address, message, forged)];
    expect([await together[0], await together[1]]).toEqual([true, false]);
    expect(verifier.messages).toBe(1);
    // One alone while a batch is in a worker: sent too (the pool is busy, so this thread may be).
    // (256 verifications keep the worker busy for milliseconds, far past the next turn.)
    const busy = Array.from({ length: 256 }, () => verifier.verify(wallet.address, message, signature));
    await new Promise((resolve) => setImmediate(resolve));
    const alone = verifier.verify(wallet.address, message, forged);
    for (const answer of busy) expect(await answer).toBe(true);
    expect(await alone).toBe(false);
    expect(verifier.messages).toBe(3);
  });

  it("a malformed address is false, as on the calling thread", async () => {
    const verifier = pool(1);
    const message = randomBytes(40);
    const signature = (wallets[0] as Wallet).sign(message);
    expect(await verifier.verify("not-an-address" as Address, message, signature)).toBe(false);
    expect(await verifier.verify((wallets[0] as Wallet).address, message, signature)).toBe(true);
  });

  it("past pendingMax jobs outstanding, it verifies on the calling thread (synchronously)", async () => {
    const verifier = pool(1);
    const wallet = wallets[1] as Wallet;
    const message = randomBytes(32);
    const signature = wallet.sign(message);
    const answers = Array.from({ length: VERIFY_POOL_LIMITS.pendingMax + 3 }, () => verifier.verify(wallet.address, message, signature));
    expect(answers.slice(VERIFY_POOL_LIMITS.pendingMax)).toEqual([true, true, true]);
    expect(answers[0]).toBeInstanceOf(Promise);
    for (const answer of answers) expect(await answer).toBe(true);
  });

  it("the jobs of a worker that dies are verified on the calling thread, and later ones too once none is left", async () => {
    const verifier = pool(1);
    const { wallet, message, signature, forged } = signed(2);
    const before = [verifier.verify(wallet.address, message, signature), verifier.verify(wallet.address, message, forged)];
    await new Promise((resolve) => setImmediate(resolve));
    // Kill the worker while the batch is in flight.
    await (verifier as unknown as { threads: { worker: { terminate(): Promise<number> } }[] }).threads[0]?.worker.terminate();
    expect([await before[0], await before[1]]).toEqual([true, false]);
    expect(verifier.size).toBe(0);
    expect(await verifier.verify(wallet.address, message, signature)).toBe(true);
  });

  it("after close, jobs still waiting and new ones are verified on the calling thread", async () => {
    const verifier = pool(1);
    const wallet = wallets[3] as Wallet;
    const message = randomBytes(32);
    const waiting = verifier.verify(wallet.address, message, wallet.sign(message));
    await verifier.close();
    expect(await waiting).toBe(true);
    expect(verifier.verify(wallet.address, message, wallet.sign(message))).toBe(true);
  });
});
