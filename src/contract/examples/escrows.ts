// Examples of the escrows routes in the OpenAPI document, taken from a real market (embedded chain,
// real wallets): requests and their 200 answers. Data only; test/server/openapi.test.ts validates each
// against its route's schema.
import type { RouteExample } from "../openapi-examples.js";
import {
  EXAMPLE_BUYER,
  EXAMPLE_COMPLETED_ATTESTATION,
  EXAMPLE_COUNTERSIGNATURE,
  EXAMPLE_ENDED_DEADLINES,
  EXAMPLE_ESCROW,
  EXAMPLE_FAILED_ATTESTATION,
  EXAMPLE_OFFER_ID,
  EXAMPLE_RECEIPT,
  EXAMPLE_TELEMETRY,
  exampleMatchFor,
} from "./common.js";

/** The escrows routes' examples, by route key. */
export const ESCROWS_EXAMPLES: Readonly<Record<string, RouteExample>> = {
  "GET /v1/orders/{id}/escrow": {
    response: EXAMPLE_ESCROW,
  },
  "POST /v1/orders/{id}/fund": {
    body: {
      chainSignature: {
        message:
          "gAQABQqNKGmAdVsiCX0VRUUzZFAq/XonvmY5PsxZkYATvPF6GAIMrIaF5GWS3mUVStFvWatSuTXfCxd7rMbPSgEZWNWTzEzLnLpNIhegfLu3fOODMKKHquwZXGffVHNTvg9P253jRTqXnaIZvhylnO8Oa/V2uehpYZa0y3C9dWgsLZYKRZ1HCYNbAKAx1pR3Vv9m/Dwjx4mNFRUNH4XKqu8PaeInAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACQLCrHYYxfWPhXp7q+BuWCtOqssB+Je2d49odOGZ5XIZh4xDaRmw2rcM9f6TRg0mdMYbdsB+v+v2ivQtKqVRWk6tn45Y9Q9Ql9bMDLK2t5fxCYhbAQhxgM98jqE6zorioG3fbh12Whk9nL4UbO63msHLSF7V9bN5E6jPWFfv8AqWgqwO5ch2w/5BHLrtwgZm1E9T5NcBksyCYc8YHqJLS7BQUCAQM0AAAAAJBLMwAAAAAAYwEAAAAAAAAG3fbh12Whk9nL4UbO63msHLSF7V9bN5E6jPWFfv8AqQkEAwEHBgITAgUCAQI0AAAAAPAdHwAAAAAApQAAAAAAAAAG3fbh12Whk9nL4UbO63msHLSF7V9bN5E6jPWFfv8AqQkCAgghEuNFOpedohm+HKWc7w5r9Xa56GlhlrTLcL11aCwtlgpFCQQECAIBCgwA5AtUAgAAAAkA",
        signature: "dKNxyPkh/V4JCVwb2WuxBUHIWqU4v7XchwVXE/StGG8yeYpznds1HPGwWAUo8zpr/71H/E2TbWvnQmrpB+h1CQ==",
      },
    },
    response: EXAMPLE_ESCROW,
  },
  "POST /v1/orders/{id}/refund": {
    body: {
      chainSignature: {
        message:
          "gAMBAwiNKGmAdVsiCX0VRUUzZFAq/XonvmY5PsxZkYATvPF6GAIMrIaF5GWS3mUVStFvWatSuTXfCxd7rMbPSgEZWNWTkCwqx2GMX1j4V6e6vgblgrTqrLAfiXtnePaHThmeVyF0H3Cgtf0jGtwISptzmLT+ezPb5JhCB1Py0gQspD2ou51HCYNbAKAx1pR3Vv9m/Dwjx4mNFRUNH4XKqu8PaeInPSsmXg31pblmuf4pJWI1gESVcIknSt9iuIs6ryF+ZRzq2fjlj1D1CX1swMsra3l/EJiFsBCHGAz3yOoTrOiuKgbd9uHXZaGT2cvhRs7reawctIXtX1s3kTqM9YV+/wCpFXLMhzl45KtcnCWcPUqXOMR4fsSbncNRD/EfM0dpOoACBwYDBgQFAgEKDADkC1QCAAAACQcFAwEFAgEBCQA=",
        signature: "NTri+c/zeVwWF7XQtxnXNkWaDtlBrMgu4J0/p1ZNDtB22PR/CUKbNJeiMQCrEIwbp5g/9HkdD5h6RmcrCgCuDg==",
      },
    },
    response: {
      orderId: "ord_01M8S0H391DMNGKKMAQ8WGJC6H",
      status: "Refunded",
      buyerId: EXAMPLE_BUYER,
      offerId: EXAMPLE_OFFER_ID,
      escrowId: "esc_01M8S0H391DMNGKKMAQ8WGJC6H",
      match: exampleMatchFor("ord_01M8S0H391DMNGKKMAQ8WGJC6H", 0.033333333, 0.455833333),
      job: {
        gpuModel: "NVIDIA H100 80GB",
        fundedAtMs: 1796135751009,
        startedAtMs: 1796135751027,
        failure: {
          kind: "ExitStatus",
          reason: "exit status 137",
          attestation: EXAMPLE_FAILED_ATTESTATION,
        },
        settlement: {
          status: "FullRefund",
          providerPayment: "0",
          platformFee: "0",
          buyerRefund: "10",
          transactions: ["3UhYLu99mr8WrLQCN4dYFZw4h5NypSsZUfHDzRvpRQ7GtFuqBKiwhdYAZhtHDutnAn9qV4BEsMLj8dKrYnosM21h"],
        },
      },
      rematch: false,
      successorOf: null,
      deadlines: EXAMPLE_ENDED_DEADLINES,
    },
  },
  "POST /v1/orders/{id}/settle": {
    body: {
      actualHours: "0.000555556",
      confirmation: {
        escrowId: "esc_01M8S0H0X8086ZW5VS0KWVTEGC",
        proofDigest: "9bdeb3251b4a99fb254f4d406910bc97dd29eb40c673df5b967f9ae73861fec7",
        buyer: EXAMPLE_BUYER,
        accepted: true,
        billedSeconds: 2,
        reason: "",
        signature:
          "5ff526ec4b105c611e4d0a0b3c62c074641dfeb4124366198cbde721d1c4baee7a1a9d305fd90e74fa9ee0300a0c37abe9b1c5f3117f246374e0ff431a6d790a",
      },
      chainSignature: {
        message:
          "gAMCBg2NKGmAdVsiCX0VRUUzZFAq/XonvmY5PsxZkYATvPF6GAIMrIaF5GWS3mUVStFvWatSuTXfCxd7rMbPSgEZWNWTkCwqx2GMX1j4V6e6vgblgrTqrLAfiXtnePaHThmeVyEuHm8EqEJXqlVjevubhLseBOPobAxOuKvX4FzStoGldnBXFn7VXEgUddGpIbDULirIYreQZ8n79uzMqk60gx+4nUcJg1sAoDHWlHdW/2b8PCPHiY0VFQ0fhcqq7w9p4ifvb0ROuzzY+IqUv/UOwja9s8+2ZDfTRB48Ta5rU7nqAgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAjJclj04kifG7PRApFI4NgwtaE5na/xCEBI572Nvp+FmX2G7/XfFmMTQEScMfW7BTO9He2CeBCwBBFMAZblHhVZh4xDaRmw2rcM9f6TRg0mdMYbdsB+v+v2ivQtKqVRWk6tn45Y9Q9Ql9bMDLK2t5fxCYhbAQhxgM98jqE6zorioG3fbh12Whk9nL4UbO63msHLSF7V9bN5E6jPWFfv8AqQDsxq0cgMye7MYrYYqGxa+aQqQ5ZVMgDgxpDTbmarX3BggGAAYKCwcMAQEIBgADAgsHDAEBDAYECwYJAgEKDG5TKQAAAAAACQwGBAsDCQIBCgxEDwEAAAAAAAkMBgQLBQkCAQoMTnPnfQMAAAAJDAUEAAkCAQEJAA==",
        signature: "KqfwXbDAUBRpKH42G0YleqDHr3xdC9YFs2a8uSiRZ+yMGydbXaKBrBFyXCrkOAN8xv4Q82gKYZkduFg9iEDqDQ==",
      },
    },
    response: {
      orderId: "ord_01M8S0H0X8086ZW5VS0KWVTEGC",
      status: "Settled",
      buyerId: EXAMPLE_BUYER,
      offerId: EXAMPLE_OFFER_ID,
      escrowId: "esc_01M8S0H0X8086ZW5VS0KWVTEGC",
      match: {
        ...exampleMatchFor("ord_01M8S0H0X8086ZW5VS0KWVTEGC", 0.025, 0.4475),
        hours: 3,
        totalCost: "15",
        platformFee: "0.37499757",
      },
      job: {
        gpuModel: "NVIDIA H100 80GB",
        fundedAtMs: 1796135748664,
        startedAtMs: 1796135748682,
        receipt: EXAMPLE_RECEIPT,
        telemetry: EXAMPLE_TELEMETRY,
        receiptedAtMs: 1796135750709,
        countersigned: {
          sequence: 1,
          secondsRun: 1,
          signature: EXAMPLE_COUNTERSIGNATURE,
        },
        attestation: {
          proof: {
            ...EXAMPLE_COMPLETED_ATTESTATION.proof,
            escrowId: "esc_01M8S0H0X8086ZW5VS0KWVTEGC",
            orderId: "ord_01M8S0H0X8086ZW5VS0KWVTEGC",
            startedAtMs: 1796135748682,
            endedAtMs: 1796135750682,
          },
          signature:
            "6bfb7c7fcc38813957e01d50da40757aba432e4b94b70aab5c9fb21b3fd2f571c4934825a9cd49d971b1f84eb41846553fd490b5067fd2ac5c29e33c78da1c05",
        },
        settlement: {
          status: "PartialRefund",
          providerPayment: "0.002708334",
          platformFee: "0.000069444",
          buyerRefund: "14.997222222",
          transactions: ["5U9HAUdCocKtKAEUxAn86f4ofBByGhRSAzMmSpnZ5in1iMUnsA6xxPWLGGLKKAryesaJBvMAK4LT4Qjx9kYpjQhP"],
        },
        extensions: [
          {
            hours: 1,
            amount: "5",
            atMs: 1796135750815,
            transactionId: "41r13QPsdAdiwA58wLucvEq9bikAUZ9VekwKzNRTVPXsfCxuz7B7S3PeFbY1vjA62DCicTb9pGDFSfuxkM3LihmQ",
          },
        ],
      },
      rematch: false,
      successorOf: null,
      deadlines: EXAMPLE_ENDED_DEADLINES,
    },
  },
};
