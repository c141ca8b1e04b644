// The example objects several routes of the OpenAPI document show (a match, a running order, an
// escrow, an offer, attestations, a receipt, a dispute), taken from one real market run. Data only.

/** The buyer's address in every example. */
export const EXAMPLE_BUYER = "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot";
/** The provider's address in every example. */
export const EXAMPLE_PROVIDER = "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3";
/** The one offer every example order matched. */
export const EXAMPLE_OFFER_ID = "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42";

/** Deadlines of an order that has ended (settled, refunded, resolved, disputed): none left. */
export const EXAMPLE_ENDED_DEADLINES = {
  fundBy: null,
  lockedUntil: null,
  disputeUntil: null,
  receiptDueBy: null,
};

/** The match of the running order ord_01M8S0H685PFKDFKVH92XQ7N1Q: 2 GPUs for 2 hours at 2.5 MOLT. */
export const EXAMPLE_MATCH = {
  orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
  offerId: EXAMPLE_OFFER_ID,
  providerId: EXAMPLE_PROVIDER,
  gpuCount: 2,
  pricePerHour: "2.5",
  hours: 2,
  totalCost: "10",
  feeBps: 250,
  platformFee: "0.24999838",
  score: 0.446029408,
  scoreBreakdown: {
    priceHeadroom: 0.075,
    gpuFit: 0.0375,
    vramFit: 0.1,
    preferredModel: 0.15,
    extraFeatures: 0.01,
    reputation: 0.023529408,
    utilization: 0.05,
    total: 0.446029408,
  },
};

/** EXAMPLE_MATCH as another order of the same offer got it, when the provider's reputation (hence the score) differed. */
export function exampleMatchFor(orderId: string, reputation: number, score: number): typeof EXAMPLE_MATCH {
  return { ...EXAMPLE_MATCH, orderId, score, scoreBreakdown: { ...EXAMPLE_MATCH.scoreBreakdown, reputation, total: score } };
}

/** The order of EXAMPLE_MATCH while its job runs. */
export const EXAMPLE_RUNNING_ORDER = {
  orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
  status: "Running",
  buyerId: EXAMPLE_BUYER,
  offerId: EXAMPLE_OFFER_ID,
  escrowId: "esc_01M8S0H685PFKDFKVH92XQ7N1Q",
  match: EXAMPLE_MATCH,
  job: {
    gpuModel: "NVIDIA H100 80GB",
    fundedAtMs: 1796135754025,
    startedAtMs: 1796135754052,
  },
  rematch: false,
  successorOf: null,
  deadlines: {
    fundBy: null,
    lockedUntil: "2026-12-01T17:35:54.015Z",
    disputeUntil: null,
    receiptDueBy: "2026-12-01T14:40:54.052Z",
  },
};

/** The escrow of EXAMPLE_RUNNING_ORDER, locked. */
export const EXAMPLE_ESCROW = {
  escrowId: "esc_01M8S0H685PFKDFKVH92XQ7N1Q",
  state: "Locked",
  orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
  offerId: EXAMPLE_OFFER_ID,
  buyer: EXAMPLE_BUYER,
  provider: EXAMPLE_PROVIDER,
  arbiter: "AhnmfacGx4hjXsXhRQkEuBnHaMYe3HLraJzSpz8m7sB6",
  feeRecipient: "AhnmfacGx4hjXsXhRQkEuBnHaMYe3HLraJzSpz8m7sB6",
  amount: "10",
  pricePerHour: "2.5",
  gpuCount: 2,
  allocatedSeconds: 7200,
  feeBps: 250,
  ratePerSecond: "1388889",
  feeRatePerSecond: "34722",
  mint: "GomBGZvPmNxr8HCz1zuu7Fsebj5yD7DFMVoPws9B4Q2V",
  createdAt: "2026-12-01T14:35:54.015Z",
  lockedUntil: "2026-12-01T17:35:54.015Z",
  address: "EkW68t1UXNmH1uyc6e5SSrWhaawjfHFDD2Sk7Xby8CSG",
  multisig: "GJAmsvzRnA7MXritbrmbPsnMZNBHL2QAwu49NZMLj6pk",
  transactionId: "4Qo1FC5UtrbcpPUxANSbXSKUS5NRwC543hMipum6oHBEsVHzZF5LFbWHmhMy4VTzFyNKAyAczWUQrHjY9seemCp7",
};

/** The provider's active offer that every example order matched. */
export const EXAMPLE_OFFER = {
  offerId: EXAMPLE_OFFER_ID,
  providerId: EXAMPLE_PROVIDER,
  status: "Active",
  gpuModel: "NVIDIA H100 80GB",
  gpuCount: 8,
  freeGpus: 6,
  vramGb: 80,
  pricePerHour: "2.5",
  availableHours: 72,
  minCommitmentHours: 1,
  features: ["NvLink", "Infiniband"],
  createdAt: "2026-12-01T14:35:48.482Z",
  expiresAt: "2026-12-08T14:35:48.482Z",
  region: "eu-west",
  country: "DE",
};

/** The provider's attestation that completed the (later disputed) job of ord_01M8S0H4GZ1QPYA9JF0W7GYR3D. */
export const EXAMPLE_COMPLETED_ATTESTATION = {
  proof: {
    escrowId: "esc_01M8S0H4GZ1QPYA9JF0W7GYR3D",
    orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
    offerId: EXAMPLE_OFFER_ID,
    provider: EXAMPLE_PROVIDER,
    gpuModel: "NVIDIA H100 80GB",
    gpuCount: 2,
    startedAtMs: 1796135752400,
    endedAtMs: 1796135753400,
    exitStatus: 0,
    outputDigest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    usageDigest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  },
  signature:
    "a820edcdeb3f0c91b225554ea5d11ac0480f4c90616ed82b1dd689f66e13787fb9695a6412f20f8b6c76c1e8d6dcc5b6e06c900ed0890ac5ebb0a8cbe4b19807",
};

/** The provider's attestation that failed the (later refunded) job of ord_01M8S0H391DMNGKKMAQ8WGJC6H: exit status 137. */
export const EXAMPLE_FAILED_ATTESTATION = {
  proof: {
    ...EXAMPLE_COMPLETED_ATTESTATION.proof,
    escrowId: "esc_01M8S0H391DMNGKKMAQ8WGJC6H",
    orderId: "ord_01M8S0H391DMNGKKMAQ8WGJC6H",
    startedAtMs: 1796135751027,
    endedAtMs: 1796135752027,
    exitStatus: 137,
  },
  signature:
    "c39c9dc686f6b9e43103e52ad05a32b117724a5dcb1d526b02448da65ff80e9bbe7fd9d24a67c399aa27d8658975c8379e50151da0bb158f0e77f50428b29904",
};

/** The first usage receipt of the (later settled) job of ord_01M8S0H0X8086ZW5VS0KWVTEGC. */
export const EXAMPLE_RECEIPT = {
  escrowId: "esc_01M8S0H0X8086ZW5VS0KWVTEGC",
  provider: EXAMPLE_PROVIDER,
  sequence: 1,
  secondsRun: 1,
  atMs: 1796135749682,
  telemetryDigest: "4b6d5e653bd576a147d651217c75a842502a187d749d2244d1d89381d9a47a9f",
  signature:
    "b22aad1d912c207b0f3f9958c45a96760244f2afe3048b4efe7f73e3308fce51ada402dbf409de3d1ad4af2738fed38c47855f7c2c8e0af64c1935620c2d3b02",
};

/** The telemetry sent with EXAMPLE_RECEIPT (its digest is the receipt's `telemetryDigest`). */
export const EXAMPLE_TELEMETRY = {
  gpuUtilizationPct: [97, 95],
  deviceUuids: ["GPU-8f1c2a34-5b6d-4e7f-9a0b-1c2d3e4f5a6b", "GPU-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"],
};

/** The buyer's countersignature of EXAMPLE_RECEIPT. */
export const EXAMPLE_COUNTERSIGNATURE =
  "126b65d24856f8a4a77d7124dc3b6c0a64b1458d961171e29b796cb4f9190c553973cf32a2d017c6f3f5149948dcd9fcb385180a9cbf563f4b0a04b6f6104d05";

/** The buyer's signed dispute of the completed job of EXAMPLE_COMPLETED_ATTESTATION. */
export const EXAMPLE_DISPUTE = {
  id: "dsp_01M8S0H5P5GZNHT3BS32NVVRZW",
  escrowId: "esc_01M8S0H4GZ1QPYA9JF0W7GYR3D",
  openedBy: EXAMPLE_BUYER,
  reason: "the output checkpoint is truncated",
  evidence: ["02cd3db47af3ca218d5312c2f38ffe3d2e91f4655de18dcdbfdeb97e056231ce"],
  openedAtMs: 1796135753413,
  signature:
    "c036633bc7a461f7b3e80f2edd1e3376e05c1eccd3d1a41b120bc3151bd52d1bd2ebf432f729c994b5d450216bc4e3fed2d9aa833cfb7584ccd9dec769956206",
};
