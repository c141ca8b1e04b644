// Ids: prefixes, guards, monotonic ordering, embedded timestamps.
// The id generator keeps module state (the last time used), so times in this file only grow: every
// test takes fresh times from nextTime().
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ID_PREFIXES,
  assertIsDisputeId,
  assertIsEscrowId,
  assertIsOfferId,
  assertIsOrderId,
  idTimestampMs,
  isDisputeId,
  isEscrowId,
  isOfferId,
  isOrderId,
  newDisputeId,
  newEscrowId,
  newOfferId,
  newOrderId,
  newUlid,
  offerId,
  orderId,
} from "../../src/core/ids.js";
import { expectMarketError } from "../support/expect-error.js";

let lastTime = Date.parse("2026-01-01T00:00:00.000Z");
/** A time later than any used before in this file. */
function nextTime(stepMs = 1000): number {
  lastTime += stepMs;
  return lastTime;
}

interface Kind {
  readonly name: string;
  readonly prefix: string;
  readonly create: (timeMs: number) => string;
  readonly is: (value: unknown) => boolean;
  readonly assert: (value: unknown) => void;
}

const KINDS: readonly Kind[] = [
  { name: "offer", prefix: "ofr_", create: newOfferId, is: isOfferId, assert: assertIsOfferId },
  { name: "order", prefix: "ord_", create: newOrderId, is: isOrderId, assert: assertIsOrderId },
  { name: "escrow", prefix: "esc_", create: newEscrowId, is: isEscrowId, assert: assertIsEscrowId },
  { name: "dispute", prefix: "dsp_", create: newDisputeId, is: isDisputeId, assert: assertIsDisputeId },
];

const CROCKFORD_ID = /^[a-z]{3}_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

describe("id kinds", () => {
  it("ID_PREFIXES lists the four prefixes", () => {
    expect(ID_PREFIXES).toEqual({ offer: "ofr_", order: "ord_", escrow: "esc_", dispute: "dsp_" });
  });

  it.each(KINDS)("$name ids have their prefix, pass their own guard and fail the others'", (kind) => {
    const id = kind.create(nextTime());
    expect(id.startsWith(kind.prefix)).toBe(true);
    expect(id).toHaveLength(kind.prefix.length + 26);
    expect(id).toMatch(CROCKFORD_ID);
    expect(kind.is(id)).toBe(true);
    expect(() => {
      kind.assert(id);
    }).not.toThrow();
    for (const other of KINDS) {
      if (other === kind) continue;
      expect(other.is(id), `${other.name} guard on ${id}`).toBe(false);
      const e = expectMarketError(() => {
        other.assert(id);
      }, "INVALID_ID");
      expect(e.details.kind).toBe(other.name);
    }
  });

  it.each(KINDS)("$name guard rejects malformed values", (kind) => {
    const good = kind.create(nextTime());
    const ulid = good.slice(4);
    const bad: unknown[] = [
      "",
      kind.prefix,
      `${kind.prefix}short`,
      ulid,
      `${kind.prefix}${ulid.toLowerCase()}`,
      `${good}0`,
      good.slice(0, -1),
      `${kind.prefix}8${ulid.slice(1)}`,
      `${kind.prefix}${ulid.slice(0, -1)}I`,
      `${kind.prefix}${ulid.slice(0, -1)}U`,
      ` ${good}`,
      `${kind.prefix.toUpperCase()}${ulid}`,
      42,
      null,
      undefined,
      { id: good },
    ];
    for (const value of bad) expect(kind.is(value), JSON.stringify(value)).toBe(false);
  });
});

describe("assertIsOfferId / offerId / orderId", () => {
  it.each<[string, unknown]>([
    ["an empty string", ""],
    ["ofr_short", "ofr_short"],
    ["an order id", newOrderId(nextTime())],
    ["a number", 12345],
    ["undefined", undefined],
  ])("assertIsOfferId throws INVALID_ID for %s", (_name, value) => {
    const e = expectMarketError(() => {
      assertIsOfferId(value);
    }, "INVALID_ID");
    expect(e.details.kind).toBe("offer");
    expect(e.details.value).toBe(typeof value === "string" ? value : typeof value);
    expect(e.details.expected).toContain("ofr_");
  });

  it("truncates a long bad value in the error details", () => {
    const e = expectMarketError(() => {
      assertIsOfferId("x".repeat(500));
    }, "INVALID_ID");
    expect(e.details.value.length).toBeLessThanOrEqual(64);
  });

  it("offerId()/orderId() return valid strings unchanged and reject others", () => {
    const t = nextTime();
    const o = newOfferId(t);
    const r = newOrderId(t);
    expect(offerId(String(o))).toBe(o);
    expect(orderId(String(r))).toBe(r);
    expectMarketError(() => offerId(String(r)), "INVALID_ID");
    expectMarketError(() => orderId(String(o)), "INVALID_ID");
    expectMarketError(() => orderId("ord_"), "INVALID_ID");
  });
});

describe("ordering and timestamps", () => {
  it("10000 ids made in the same millisecond are unique and strictly increasing", () => {
    const t = nextTime();
    const ids = Array.from({ length: 10_000 }, () => newOrderId(t));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) {
      const previous = ids[i - 1] as string;
      const current = ids[i] as string;
      if (!(previous < current)) throw new Error(`ids[${i - 1}] = ${previous} is not before ids[${i}] = ${current}`);
    }
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) if (idTimestampMs(id) !== t) throw new Error(`${id} does not carry time ${t}`);
  });

  it("ids from non-decreasing times are strictly increasing (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 1, 2, 1000), { minLength: 2, maxLength: 200 }), (steps) => {
        let t = nextTime();
        const ids: string[] = [];
        for (const step of steps) {
          t += step;
          ids.push(newOfferId(t));
        }
        lastTime = t;
        for (let i = 1; i < ids.length; i++) expect((ids[i - 1] as string) < (ids[i] as string)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("an id with a later time sorts after", () => {
    const t = nextTime();
    const first = newEscrowId(t);
    const second = newEscrowId(nextTime(1));
    const third = newEscrowId(nextTime(60_000));
    expect(idTimestampMs(third)).toBe(t + 60_001);
    expect(first < second).toBe(true);
    expect(second < third).toBe(true);
  });

  it("idTimestampMs returns the time given", () => {
    for (const step of [1, 7, 1000, 86_400_000, 365 * 86_400_000]) {
      const t = nextTime(step);
      expect(idTimestampMs(newOfferId(t))).toBe(t);
      expect(idTimestampMs(newOrderId(t))).toBe(t);
      expect(idTimestampMs(newDisputeId(t))).toBe(t);
    }
    const t = nextTime();
    expect(idTimestampMs(newUlid(t))).toBe(t);
  });

  it("floors fractional times", () => {
    const t = nextTime();
    expect(idTimestampMs(newOfferId(t + 0.75))).toBe(t);
  });

  it("a time earlier than the last one still gives a later id (monotonic)", () => {
    const t = nextTime();
    const later = newOfferId(t + 5);
    const earlier = newOfferId(t);
    expect(earlier > later).toBe(true);
    expect(idTimestampMs(earlier)).toBe(t + 5);
    lastTime = t + 5;
  });

  it("idTimestampMs throws INVALID_ID for a value of the wrong length", () => {
    expectMarketError(() => idTimestampMs("ofr_short"), "INVALID_ID");
    expectMarketError(() => idTimestampMs(""), "INVALID_ID");
    expectMarketError(() => idTimestampMs(`${newOfferId(nextTime())}0`), "INVALID_ID");
  });

  // idTimestampMs only checks the length: characters outside the Crockford alphabet count as -1
  // digits, so a malformed id yields a garbage (even negative) time instead of INVALID_ID.
  it("idTimestampMs throws INVALID_ID for a 26-character value that is not a ULID", () => {
    expectMarketError(() => idTimestampMs(`ofr_${"!".repeat(26)}`), "INVALID_ID");
  });
});
