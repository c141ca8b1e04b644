// Examples of the disputes routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";

/** The disputes routes' examples, by route key. */
export const DISPUTES_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "POST /v1/orders/{id}/dispute": {
    description:
      "A dispute statement signed by the buyer or the provider of a Completed or Failed job, before its dispute window closes; the arbiter then decides the split, and a party accepts it.",
    body: {
      dispute: {
        id: "dsp_01M8S0H5P5GZNHT3BS32NVVRZW",
        escrowId: "esc_01M8S0H4GZ1QPYA9JF0W7GYR3D",
        openedBy: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
        reason: "the output checkpoint is truncated",
        evidence: ["02cd3db47af3ca218d5312c2f38ffe3d2e91f4655de18dcdbfdeb97e056231ce"],
        openedAtMs: 1796135753413,
        signature:
          "c036633bc7a461f7b3e80f2edd1e3376e05c1eccd3d1a41b120bc3151bd52d1bd2ebf432f729c994b5d450216bc4e3fed2d9aa833cfb7584ccd9dec769956206",
      },
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
      orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
      status: "Resolved",
      buyerId: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
      offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
      escrowId: "esc_01M8S0H4GZ1QPYA9JF0W7GYR3D",
      match: {
        orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
        offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
        providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
        gpuCount: 2,
        pricePerHour: "2.5",
        hours: 2,
        totalCost: "10",
        feeBps: 250,
        platformFee: "0.24999838",
        score: 0.453269229,
        scoreBreakdown: {
          priceHeadroom: 0.075,
          gpuFit: 0.0375,
          vramFit: 0.1,
          preferredModel: 0.15,
          extraFeatures: 0.01,
          reputation: 0.030769229,
          utilization: 0.05,
          total: 0.453269229,
        },
      },
      job: {
        gpuModel: "NVIDIA H100 80GB",
        fundedAtMs: 1796135752377,
        startedAtMs: 1796135752400,
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
        dispute: {
          id: "dsp_01M8S0H5P5GZNHT3BS32NVVRZW",
          escrowId: "esc_01M8S0H4GZ1QPYA9JF0W7GYR3D",
          openedBy: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
          reason: "the output checkpoint is truncated",
          evidence: ["02cd3db47af3ca218d5312c2f38ffe3d2e91f4655de18dcdbfdeb97e056231ce"],
          openedAtMs: 1796135753413,
          signature:
            "c036633bc7a461f7b3e80f2edd1e3376e05c1eccd3d1a41b120bc3151bd52d1bd2ebf432f729c994b5d450216bc4e3fed2d9aa833cfb7584ccd9dec769956206",
        },
        decision: {
          providerShare: "2",
          reason: "a third of the work was usable",
          decidedAtMs: 1796135753456,
        },
        settlement: {
          status: "Resolved",
          providerPayment: "1.950000324",
          platformFee: "0.049999676",
          buyerRefund: "8",
          transactions: ["5ANTTXckExAUDfxUQFwEtVsxS5fRk82qvcbT5xgtG9hCqdv7R6PbAcn9hjzomC4WCxo77pvHgwgpEHNXdFbz1hmd"],
        },
      },
      rematch: false,
      successorOf: null,
      deadlines: {
        fundBy: null,
        lockedUntil: null,
        disputeUntil: null,
        receiptDueBy: null,
      },
    },
  },
  "POST /v1/orders/{id}/dispute/decide": {
    description:
      "The market's arbiter only. `providerShare` is the provider's gross share in MOLT (the platform fee is taken from it); the rest goes back to the buyer when a party accepts the decision.",
    body: {
      providerShare: "2",
      reason: "a third of the work was usable",
    },
    response: {
      orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
      status: "Disputed",
      buyerId: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
      offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
      escrowId: "esc_01M8S0H4GZ1QPYA9JF0W7GYR3D",
      match: {
        orderId: "ord_01M8S0H4GZ1QPYA9JF0W7GYR3D",
        offerId: "ofr_01M8S0H0W2BY5C5WMAT6ZMEH42",
        providerId: "BGBn3EkUZPsAhHfJ4Wt8tUNmqnNXY2mofqb3rCpb5wS3",
        gpuCount: 2,
        pricePerHour: "2.5",
        hours: 2,
        totalCost: "10",
        feeBps: 250,
        platformFee: "0.24999838",
        score: 0.453269229,
        scoreBreakdown: {
          priceHeadroom: 0.075,
          gpuFit: 0.0375,
          vramFit: 0.1,
          preferredModel: 0.15,
          extraFeatures: 0.01,
          reputation: 0.030769229,
          utilization: 0.05,
          total: 0.453269229,
        },
      },
      job: {
        gpuModel: "NVIDIA H100 80GB",
        fundedAtMs: 1796135752377,
        startedAtMs: 1796135752400,
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
        dispute: {
          id: "dsp_01M8S0H5P5GZNHT3BS32NVVRZW",
          escrowId: "esc_01M8S0H4GZ1QPYA9JF0W7GYR3D",
          openedBy: "912QgbHHkt6fR8hUn3h6JnrtMCaKvReSfmJTRDebEot",
          reason: "the output checkpoint is truncated",
          evidence: ["02cd3db47af3ca218d5312c2f38ffe3d2e91f4655de18dcdbfdeb97e056231ce"],
          openedAtMs: 1796135753413,
          signature:
            "c036633bc7a461f7b3e80f2edd1e3376e05c1eccd3d1a41b120bc3151bd52d1bd2ebf432f729c994b5d450216bc4e3fed2d9aa833cfb7584ccd9dec769956206",
        },
        decision: {
          providerShare: "2",
          reason: "a third of the work was usable",
          decidedAtMs: 1796135753456,
        },
      },
      rematch: false,
      successorOf: null,
      deadlines: {
        fundBy: null,
        lockedUntil: null,
        disputeUntil: null,
        receiptDueBy: null,
      },
    },
  },
};
