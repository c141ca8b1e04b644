// Examples of the disputes routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";
import {
  EXAMPLE_BUYER,
  EXAMPLE_COMPLETED_ATTESTATION,
  EXAMPLE_DISPUTE,
  EXAMPLE_ENDED_DEADLINES,
  EXAMPLE_OFFER_ID,
  exampleMatchFor,
} from "./common.js";

/** The arbiter's decision on EXAMPLE_DISPUTE, as sent. */
const DECISION = {
  providerShare: "2",
  reason: "a third of the work was usable",
};

/** The disputed order once the arbiter decided (before a party accepts). */
const DECIDED_ORDER = {
  orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
  status: "Disputed",
  buyerId: EXAMPLE_BUYER,
  offerId: EXAMPLE_OFFER_ID,
  escrowId: "esc_01M8S0H4GZ1QPYA9JF0W7GYR3D",
  match: exampleMatchFor("ord_01M8S0H4GZ1QPYA9JF0W7GYR3D", 0.030769229, 0.453269229),
  job: {
    gpuModel: "NVIDIA H100 80GB",
    fundedAtMs: 1796135752377,
    startedAtMs: 1796135752400,
    attestation: EXAMPLE_COMPLETED_ATTESTATION,
    dispute: EXAMPLE_DISPUTE,
    decision: { ...DECISION, decidedAtMs: 1796135753456 },
  },
  rematch: false,
  successorOf: null,
  deadlines: EXAMPLE_ENDED_DEADLINES,
};

/** The disputes routes' examples, by route key. */
export const DISPUTES_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "POST /v1/orders/{id}/dispute": {
    description:
      "A dispute statement signed by the buyer or the provider of a Completed or Failed job, before its dispute window closes; the arbiter then decides the split, and a party accepts it.",
    body: {
      dispute: EXAMPLE_DISPUTE,
    },
    response: {
      orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
      status: "Disputed",
    },
  },
  "POST /v1/orders/{id}/dispute/accept": {
    body: {
      chainSignature: {
        message:
          "gAMCAwuNKGmAdVsiCX0VRUUzZFAq/XonvmY5PsxZkYATvPF6GJAsKsdhjF9Y+Fenur4G5YK06qywH4l7Z3j2h04ZnlchmHjENpGbDatwz1/pNGDSZ0xht2wH6/6/aK9C0qpVFaQuHm8EqEJXqlVjevubhLseBOPobAxOuKvX4FzStoGldgIMrIaF5GWS3mUVStFvWatSuTXfCxd7rMbPSgEZWNWTnUcJg1sAoDHWlHdW/2b8PCPHiY0VFQ0fhcqq7w9p4ieZB7bSxjeQeie+LHF13+a1FfslVKkmjLKZfk7lDotoy+9vRE67PNj4ipS/9Q7CNr2zz7ZkN9NEHjxNrmtTueoCza5KDNE46vH8Qw203fPSDi/TZLmOiCS1KunHi8xxguzq2fjlj1D1CX1swMsra3l/EJiFsBCHGAz3yOoTrOiuKgbd9uHXZaGT2cvhRs7reawctIXtX1s3kTqM9YV+/wCp/1hYEaU+sJWmRRHRYCKdGB1nbhcAYTlBz5RxxN7Dxo0ECgYGCQcIAQIKDMSkOnQAAAAACQoGBgkDCAECCgw87/oCAAAAAAkKBgYJBQgBAgoMAFDW3AEAAAAJCgUGBAgBAgEJAA==",
        signature: "YJB6YHTqlfUFbJ9TGYob14TDNLnJOhx3LdLFIlxwvFprRHUECe8jrhFCcTCCOReBl1WObhAbq/L8u5KyZ28ICw==",
      },
    },
    response: {
      ...DECIDED_ORDER,
      status: "Resolved",
      job: {
        ...DECIDED_ORDER.job,
        settlement: {
          status: "Resolved",
          providerPayment: "1.950000324",
          platformFee: "0.049999676",
          buyerRefund: "8",
          transactions: ["5ANTTXckExAUDfxUQFwEtVsxS5fRk82qvcbT5xgtG9hCqdv7R6PbAcn9hjzomC4WCxo77pvHgwgpEHNXdFbz1hmd"],
        },
      },
    },
  },
  "POST /v1/orders/{id}/dispute/decide": {
    description:
      "The market's arbiter only. `providerShare` is the provider's gross share in MOLT (the platform fee is taken from it); the rest goes back to the buyer when a party accepts the decision.",
    body: DECISION,
    response: DECIDED_ORDER,
  },
};
