// Examples of the jobs routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";
import {
  EXAMPLE_COMPLETED_ATTESTATION,
  EXAMPLE_COUNTERSIGNATURE,
  EXAMPLE_FAILED_ATTESTATION,
  EXAMPLE_RECEIPT,
  EXAMPLE_TELEMETRY,
} from "./common.js";

/** The jobs routes' examples, by route key. */
export const JOBS_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "POST /v1/orders/{id}/complete": {
    description:
      "Running -> Completed with the provider's attestation (ed25519 over the proof's canonical encoding, domain-separated): the proof names this escrow, order, offer, provider and GPU count, exit status 0, and a time window inside the escrow's. Settlement then waits for the buyer's confirmation or the end of the dispute window.",
    body: {
      attestation: EXAMPLE_COMPLETED_ATTESTATION,
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
      attestation: EXAMPLE_FAILED_ATTESTATION,
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
      receipt: EXAMPLE_RECEIPT,
      telemetry: EXAMPLE_TELEMETRY,
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
      signature: EXAMPLE_COUNTERSIGNATURE,
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
