import { describe, expect, it } from "vitest";
import { KlingTokenSource } from "../../src/vendors/kling/auth.js";
import { signJwt, verifyJwt } from "../../src/vendors/shared/jwt.js";

// Vector from the vendor reference (C.1), computed with jsonwebtoken@9.
const VECTOR =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJBS19URVNUXzAwMDEiLCJleHAiOjE3MzU2OTE0MDAsIm5iZiI6MTczNTY4OTU5NX0.e5NHxgIP0_Bl-5KYzEBjpOM_F_kUpnztY1qPOQ30kg0";

describe("HS256 JWT", () => {
  it("reproduces the reference vector byte for byte", () => {
    expect(signJwt({ iss: "AK_TEST_0001", exp: 1735691400, nbf: 1735689595 }, "SK_TEST_0001", { alg: "HS256" })).toBe(VECTOR);
  });

  it("verifies the vector and checks nbf and exp", () => {
    expect(verifyJwt(VECTOR, "SK_TEST_0001", { nowS: 1735690000 })).toMatchObject({ ok: true, payload: { iss: "AK_TEST_0001" } });
    expect(verifyJwt(VECTOR, "SK_TEST_0001", { nowS: 1735689594 })).toMatchObject({ ok: false, reason: "not_yet_valid" });
    expect(verifyJwt(VECTOR, "SK_TEST_0001", { nowS: 1735691400 })).toMatchObject({ ok: false, reason: "expired" });
    expect(verifyJwt(VECTOR, "SK_TEST_0001", { nowS: 1735691400, skewS: 10 })).toMatchObject({ ok: true });
  });

  it("rejects a wrong key, a tampered payload, other algorithms and garbage", () => {
    expect(verifyJwt(VECTOR, "SK_TEST_0002", { nowS: 1735690000 })).toMatchObject({ ok: false, reason: "signature" });
    const [h, , s] = VECTOR.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ iss: "AK_OTHER", exp: 1735691400, nbf: 1735689595 })).toString("base64url")}.${s}`;
    expect(verifyJwt(forged, "SK_TEST_0001", { nowS: 1735690000 })).toMatchObject({ ok: false, reason: "signature" });
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${VECTOR.split(".")[1]}.x`;
    expect(verifyJwt(none, "SK_TEST_0001")).toMatchObject({ ok: false, reason: "algorithm" });
    for (const bad of ["", "a.b", "a.b.c", `${h}.!!.${s}`, `${h}.${VECTOR.split(".")[1]}.`]) expect(verifyJwt(bad, "k").ok).toBe(false);
  });
});

describe("KlingTokenSource", () => {
  it("mints the documented claims and reuses the token until shortly before it expires", () => {
    let now = 1735690000_000;
    const src = new KlingTokenSource("AK_TEST_0001", "SK_TEST_0001", { now: () => now });
    const first = src.token();
    expect(first).toBe(signJwt({ iss: "AK_TEST_0001", exp: 1735691800, nbf: 1735689995 }, "SK_TEST_0001"));
    now += 1400_000; // 100 s before the refresh margin (300 s before expiry)
    expect(src.token()).toBe(first);
    now += 101_000;
    const second = src.token();
    expect(second).not.toBe(first);
    expect(verifyJwt(second, "SK_TEST_0001", { nowS: Math.floor(now / 1000) })).toMatchObject({
      ok: true,
      payload: { exp: Math.floor(now / 1000) + 1800 },
    });
  });
});
