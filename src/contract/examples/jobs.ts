// Examples of the jobs routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";

/** The jobs routes' examples, by route key. */
export const JOBS_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "POST /v1/orders/{id}/complete": {
    description:
      "Running -> Completed with the provider's attestation (ed25519 over the proof's canonical encoding, domain-separated): the proof names this escrow, order, offer, provider and GPU count, exit status 0, and a time window inside the escrow's. Settlement then waits for the buyer's confirmation or the end of the dispute window.",
    body: {
      attestation: {
        proof: {
          escrowId: "esc_01M8S0H4GZ1QPYA9JF0W7GYR3D",
          orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
          offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
          provider: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
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
      },
    },
    response: {
      orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
      status: "Completed",
    },
  },
  "POST /v1/orders/{id}/extend": {
    body: {
      hours: 1,
      chainSignature: {
        message:
          "gAIBAgaNKGmAdVsiCX0VRUUzZFAq/XonvmY5PsxZkYATvPF6GAIMrIaF5GWS3mUVStFvWatSuTXfCxd7rMbPSgEZWNWTcFcWftVcSBR10akhsNQuKshit5Bnyfv27MyqTrSDH7idRwmDWwCgMdaUd1b/Zvw8I8eJjRUVDR+FyqrvD2niJ+rZ+OWPUPUJfWzAyytreX8QmIWwEIcYDPfI6hOs6K4qBt324ddloZPZy+FGzut5rBy0he1fWzeROoz1hX7/AKmvSjUaoD+6dFGqfonYY6iSN3TY278L63uv37aPuMvIeQEFBAMEAgEKDADyBSoBAAAACQA=",
        signature: "1of38FOdjfovdxV9h9Yb1QEXrK/Tfph7l2AhSQyM1sj+HI5itz7cqtAn4WRvH4Qz115rqSsPX9IIDtJdDyEuAg==",
      },
    },
    response: {
      orderId: "ord_01M8S0H0X8086ZW5VS0KWVTEGC",
      escrowId: "esc_01M8S0H0X8086ZW5VS0KWVTEGC",
      addedHours: 1,
      addedMolt: "5",
      amount: "15",
      allocatedSeconds: 10800,
      lockedUntil: "2026-12-01T18:35:48.649Z",
      transactionId: "41r13QPsdAdiwA58wLucvEq9bikAUZ9VekwKzNRTVPXsfCxuz7B7S3PeFbY1vjA62DCicTb9pGDFSfuxkM3LihmQ",
    },
  },
  "POST /v1/orders/{id}/fail": {
    description:
      "Running -> Failed with an attested proof whose exit status is non-zero; the buyer may then have the escrow refunded (POST /v1/orders/{id}/refund).",
    body: {
      attestation: {
        proof: {
          escrowId: "esc_01M8S0H391DMNGKKMAQ8WGJC6H",
          orderId: "ord_01M8S0H391DMNGKKMAQ8WGJC6H",
          offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
          provider: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
          gpuModel: "NVIDIA H100 80GB",
          gpuCount: 2,
          startedAtMs: 1796135751027,
          endedAtMs: 1796135752027,
          exitStatus: 137,
          outputDigest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          usageDigest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        },
        signature:
          "c39c9dc686f6b9e43103e52ad05a32b117724a5dcb1d526b02448da65ff80e9bbe7fd9d24a67c399aa27d8658975c8379e50151da0bb158f0e77f50428b29904",
      },
    },
    response: {
      orderId: "ord_01M8S0H391DMNGKKMAQ8WGJC6H",
      status: "Failed",
    },
  },
  "POST /v1/orders/{id}/receipts": {
    description:
      "A usage receipt signed by the provider: cumulative `secondsRun`, `sequence` one more than the last, `atMs` not in the future, `telemetryDigest` the digest of the telemetry sent. Each one resets the receipt timeout; a lost provider is paid its last receipted seconds.",
    body: {
      receipt: {
        escrowId: "esc_01M8S0H0X8086ZW5VS0KWVTEGC",
        provider: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
        sequence: 1,
        secondsRun: 1,
        atMs: 1796135749682,
        telemetryDigest: "4b6d5e653bd576a147d651217c75a842502a187d749d2244d1d89381d9a47a9f",
        signature:
          "b22aad1d912c207b0f3f9958c45a96760244f2afe3048b4efe7f73e3308fce51ada402dbf409de3d1ad4af2738fed38c47855f7c2c8e0af64c1935620c2d3b02",
      },
      telemetry: {
        gpuUtilizationPct: [97, 95],
        deviceUuids: ["GPU-8f1c2a34-5b6d-4e7f-9a0b-1c2d3e4f5a6b", "GPU-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"],
      },
    },
    response: {
      orderId: "ord_01M8S0H0X8086ZW5VS0KWVTEGC",
      status: "Running",
    },
  },
  "POST /v1/orders/{id}/receipts/countersign": {
    description: "The buyer's ed25519 signature over the latest receipt's canonical encoding: it agrees to the seconds the receipt states.",
    body: {
      sequence: 1,
      signature:
        "126b65d24856f8a4a77d7124dc3b6c0a64b1458d961171e29b796cb4f9190c553973cf32a2d017c6f3f5149948dcd9fcb385180a9cbf563f4b0a04b6f6104d05",
    },
    response: {
      orderId: "ord_01M8S0H0X8086ZW5VS0KWVTEGC",
      status: "Running",
    },
  },
  "POST /v1/orders/{id}/start": {
    description:
      "Escrowed -> Running. From then on the provider sends a usage receipt at least every `receiptTimeoutMs` (GET /v1/market), else the sweeper fails the job ProviderLost and it is paid its last receipted seconds.",
    body: {},
    response: {
      orderId: "ord_01M8S0H685PFKDFKVH92XQ7N1Q",
      status: "Running",
    },
  },
  "POST /v1/orders/{id}/workload": {
    description:
      "A POST because it is signed: the workload (image, command, environment) is shown only to the order's buyer and to the provider of its match.",
    body: {},
    response: {
      orderId: "ord_01M8S0H0X8086ZW5VS0KWVTEGC",
      workload: null,
    },
  },
};
