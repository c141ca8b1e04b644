// RFC 8941 dictionaries as RFC 9421 uses them: the examples of the RFCs parse to their values, each
// member keeps its exact text, malformed fields are refused with a position, and no input throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { STRUCTURED_FIELD_LENGTH_MAX, parseDictionary, serializeString } from "../../src/contract/structured-fields.js";

function parsed(text: string) {
  const result = parseDictionary(text);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe("RFC 8941 dictionaries", () => {
  it("parses RFC 9421's Signature-Input and Signature examples, keeping each member's text", () => {
    const input = `sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd", sig1=("@method" "@authority" "content-digest";sf);alg="ed25519";expires=1618884773`;
    const members = parsed(input);
    expect([...members.keys()]).toEqual(["sig-b21", "sig1"]);
    const sig1 = members.get("sig1");
    expect(sig1?.text).toBe(`("@method" "@authority" "content-digest";sf);alg="ed25519";expires=1618884773`);
    expect(sig1?.value.kind).toBe("inner-list");
    if (sig1?.value.kind !== "inner-list") return;
    expect(sig1.value.items.map((item) => item.value)).toEqual([
      { type: "string", value: "@method" },
      { type: "string", value: "@authority" },
      { type: "string", value: "content-digest" },
    ]);
    expect(sig1.value.items[2]?.params.get("sf")).toEqual({ type: "boolean", value: true });
    expect([...sig1.value.params]).toEqual([
      ["alg", { type: "string", value: "ed25519" }],
      ["expires", { type: "integer", value: 1618884773 }],
    ]);
    const signature = parsed("sig1=:aGVsbG8=:").get("sig1")?.value;
    expect(signature?.kind === "item" && signature.value.type === "bytes" && Buffer.from(signature.value.value).toString()).toBe("hello");
  });

  it("reads every bare item type, escapes, booleans without value, and spaces where the grammar allows them", () => {
    const members = parsed(`  a=1, b=-2.5;x, c="q\\"\\\\", d=tok/en:x, e=?0, f ,g=(1  "s"  );p=?1  `);
    expect(members.get("a")?.value).toMatchObject({ kind: "item", value: { type: "integer", value: 1 } });
    expect(members.get("b")?.value).toMatchObject({
      value: { type: "decimal", value: -2.5 },
      params: new Map([["x", { type: "boolean", value: true }]]),
    });
    expect(members.get("c")?.value).toMatchObject({ value: { type: "string", value: 'q"\\' } });
    expect(members.get("d")?.value).toMatchObject({ value: { type: "token", value: "tok/en:x" } });
    expect(members.get("e")?.value).toMatchObject({ value: { type: "boolean", value: false } });
    expect(members.get("f")?.value).toMatchObject({ value: { type: "boolean", value: true } });
    expect(members.get("g")?.text).toBe(`(1  "s"  );p=?1`);
    expect(parsed("a=1, a=2").get("a")?.value).toMatchObject({ value: { value: 2 } });
    expect(parseDictionary("a=1, a=2", { rejectRepeatedKeys: true })).toEqual({ ok: false, reason: "the key a is repeated" });
    expect(serializeString('a"b\\c')).toBe(`"a\\"b\\\\c"`);
  });

  it("refuses malformed fields with where and why", () => {
    for (const bad of [
      "A=1",
      "a=1,",
      "a=1 b=2",
      "a=(1",
      "a=(1,2)",
      'a="open',
      'a="tab\t"',
      'a="\\n"',
      "a=:AAA:",
      "a=:AAB=:",
      "a=1234567890123456",
      "a=1.2345",
      "a=?2",
      "a=@1",
      "a=1;B=2",
      `a=${"1".repeat(13)}.1`,
    ]) {
      const result = parseDictionary(bad);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.reason, bad).toMatch(/at character \d+|longer/);
    }
    expect(parseDictionary("a=1".padEnd(STRUCTURED_FIELD_LENGTH_MAX + 1, " ")).ok).toBe(false);
    expect(parseDictionary("").ok).toBe(true);
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const result = parseDictionary(text);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });
});
