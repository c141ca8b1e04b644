// The wire contract of a workload: what a buyer's order asks the matched provider to run. Pure.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { WORKLOAD_LIMITS } from "../core/workload.js";
import type { Workload } from "../core/workload.js";

/** What the matched provider runs (core's Workload; parseWorkload checks the rest). Never a secret: the provider reads it. */
export const WorkloadBody = Type.Object(
  {
    image: Type.String({ maxLength: WORKLOAD_LIMITS.imageLengthMax, description: "an image pinned by digest: name[:tag]@sha256:<64 hex>" }),
    command: Type.Optional(
      Type.Array(Type.String({ maxLength: WORKLOAD_LIMITS.argLengthMax }), { maxItems: WORKLOAD_LIMITS.argvItemsMax }),
    ),
    args: Type.Optional(Type.Array(Type.String({ maxLength: WORKLOAD_LIMITS.argLengthMax }), { maxItems: WORKLOAD_LIMITS.argvItemsMax })),
    env: Type.Optional(
      Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: WORKLOAD_LIMITS.envValueLengthMax }), {
        maxProperties: WORKLOAD_LIMITS.envMax,
      }),
    ),
  },
  { additionalProperties: false },
);

/** A workload as JSON (mutable copies of its lists, as the schema's static type has them). */
export function workloadJson(workload: Workload): Static<typeof WorkloadBody> {
  return {
    image: workload.image,
    ...(workload.command === undefined ? {} : { command: [...workload.command] }),
    ...(workload.args === undefined ? {} : { args: [...workload.args] }),
    ...(workload.env === undefined ? {} : { env: { ...workload.env } }),
  };
}
