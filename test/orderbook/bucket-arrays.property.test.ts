// insertAt / removeAt / searchBuckets against the plain array operations they stand for, on both
// sides of the length where a shift by hand gives way to splice.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { insertAt, removeAt, searchBuckets } from "../../src/orderbook/bucket-arrays.js";

describe("bucket arrays", () => {
  it("insertAt and removeAt edit the list as splice does, short and long", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 120, size: "max" }),
        fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.integer()), { maxLength: 40 }),
        (start, edits) => {
          const list = [...start];
          const model = [...start];
          for (const [insert, where, value] of edits) {
            if (insert || model.length === 0) {
              const at = where % (model.length + 1);
              insertAt(list, at, value);
              model.splice(at, 0, value);
            } else {
              const at = where % model.length;
              removeAt(list, at);
              model.splice(at, 1);
            }
            expect(list).toEqual(model);
          }
        },
      ),
    );
  });

  it("searchBuckets finds the first bucket at least the one asked", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 80 }), fc.integer({ min: -1, max: 51 }), (raw, bucket) => {
        const buckets = [...raw].sort((a, b) => a - b);
        const expected = buckets.findIndex((b) => b >= bucket);
        expect(searchBuckets(buckets, bucket)).toBe(expected < 0 ? buckets.length : expected);
      }),
    );
  });
});
