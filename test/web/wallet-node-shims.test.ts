// The browser's node:crypto stand-in (web/src/shims/node-crypto.ts) against Node's own: the same
// digests and HMACs, keys that export the same DER, signatures Node verifies, and the same
// verdicts on good, forged and non-canonical ed25519 signatures (strict RFC 8032, as OpenSSL).
import * as node from "node:crypto";
import { describe, expect, it } from "vitest";
import * as shim from "../../web/src/shims/node-crypto.js";
import { inspect } from "../../web/src/shims/node-util.js";
import * as fs from "../../web/src/shims/node-fs.js";
import { inspect as nodeInspect } from "node:util";

const inputs = ["", "molt", "é – ü", new Uint8Array(1000).fill(7), Uint8Array.of(0, 255, 128)] as const;
/** The order of the ed25519 group (RFC 8032 L): S >= L is not canonical. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

describe("node-crypto shim", () => {
  it("hashes and HMACs as Node does, as bytes, hex and base64", () => {
    for (const algorithm of ["sha256", "sha512"] as const)
      for (const input of inputs) {
        expect(shim.createHash(algorithm).update(input).digest("hex")).toBe(node.createHash(algorithm).update(input).digest("hex"));
        expect(shim.createHash(algorithm).update(input).update("x").digest("base64")).toBe(
          node.createHash(algorithm).update(input).update("x").digest("base64"),
        );
      }
    const key = Uint8Array.of(1, 2, 3);
    expect(Array.from(shim.createHmac("sha256", key).update("label").digest())).toEqual(
      Array.from(node.createHmac("sha256", key).update("label", "utf8").digest()),
    );
    expect(shim.createHash("sha256").digest().toString("hex")).toBe(node.createHash("sha256").digest("hex"));
    expect(() => shim.createHash("md5")).toThrow("createHash: md5 is not available in the browser build");
  });

  it("makes ed25519 keys whose DER and signatures Node accepts, and verifies as Node does", () => {
    const { privateKey } = shim.generateKeyPairSync("ed25519");
    const nodePrivate = node.createPrivateKey({
      key: Buffer.from(privateKey.export({ format: "der", type: "pkcs8" })),
      format: "der",
      type: "pkcs8",
    });
    const spki = shim.createPublicKey(privateKey).export({ format: "der", type: "spki" });
    expect(spki.toString("hex")).toBe(node.createPublicKey(nodePrivate).export({ format: "der", type: "spki" }).toString("hex"));
    const message = new TextEncoder().encode("signature base");
    const signature = shim.sign(
      null,
      message,
      shim.createPrivateKey({ key: nodePrivate.export({ format: "der", type: "pkcs8" }), format: "der", type: "pkcs8" }),
    );
    expect(signature.toString("hex")).toBe(node.sign(null, message, nodePrivate).toString("hex"));
    const shimPublic = shim.createPublicKey({ key: spki, format: "der", type: "spki" });
    const nodePublic = node.createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
    // The same signature with S + L: the same equation, a non-canonical encoding; both refuse it.
    const s = Buffer.from(signature.subarray(32)).reverse();
    const sPlusL = BigInt(`0x${s.toString("hex")}`) + L;
    const malleated = Buffer.concat([signature.subarray(0, 32), Buffer.from(sPlusL.toString(16).padStart(64, "0"), "hex").reverse()]);
    const forged = Buffer.from(signature);
    forged[0] = (forged[0] ?? 0) ^ 1;
    for (const [candidate, message_] of [
      [signature, message],
      [signature, Uint8Array.of(1)],
      [forged, message],
      [malleated, message],
    ] as const) {
      expect(shim.verify(null, message_, shimPublic, candidate)).toBe(node.verify(null, message_, nodePublic, candidate));
    }
    expect(shim.verify(null, message, shimPublic, signature)).toBe(true);
    expect(shim.verify(null, message, shimPublic, malleated)).toBe(false);
    expect(() => shim.createPublicKey({ key: spki.subarray(1), format: "der", type: "spki" })).toThrow("only ed25519 SPKI DER keys");
  });

  it("fills random bytes, keeps Node's inspect symbol and has no file system", () => {
    const bytes = shim.randomFillSync(new Uint8Array(32));
    expect(bytes.some((byte) => byte !== 0)).toBe(true);
    expect(inspect.custom).toBe(nodeInspect.custom);
    for (const [name, call] of Object.entries(fs)) expect(call).toThrow(`${name}: a browser has no file system`);
    expect(Object.keys(fs).sort()).toEqual(["chmodSync", "readFileSync", "statSync", "writeFileSync"]);
  });
});
