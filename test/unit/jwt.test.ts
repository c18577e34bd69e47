import { jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { KlingTokenSource } from "../../src/vendors/kling/auth.js";
import { signToken } from "../helpers/jwt.js";

// Vector from the vendor reference (C.1), computed with jsonwebtoken@9.
const VECTOR =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJBS19URVNUXzAwMDEiLCJleHAiOjE3MzU2OTE0MDAsIm5iZiI6MTczNTY4OTU5NX0.e5NHxgIP0_Bl-5KYzEBjpOM_F_kUpnztY1qPOQ30kg0";

describe("KlingTokenSource", () => {
  it("reproduces the reference vector byte for byte", async () => {
    expect(await new KlingTokenSource("AK_TEST_0001", "SK_TEST_0001", { now: () => 1735689600_000 }).token()).toBe(VECTOR);
  });

  it("mints the documented claims, shares one signing between concurrent callers and reuses the token until shortly before it expires", async () => {
    let now = 1735690000_000;
    const src = new KlingTokenSource("AK_TEST_0001", "SK_TEST_0001", { now: () => now });
    const pending = src.token();
    expect(src.token()).toBe(pending);
    const first = await pending;
    expect(first).toBe(await signToken({ iss: "AK_TEST_0001", exp: 1735691800, nbf: 1735689995 }, "SK_TEST_0001"));
    now += 1400_000; // 100 s before the refresh margin (300 s before expiry)
    expect(await src.token()).toBe(first);
    now += 101_000;
    const second = await src.token();
    expect(second).not.toBe(first);
    const { payload } = await jwtVerify(second, new TextEncoder().encode("SK_TEST_0001"), { currentDate: new Date(now) });
    expect(payload).toEqual({ iss: "AK_TEST_0001", exp: Math.floor(now / 1000) + 1800, nbf: Math.floor(now / 1000) - 5 });
  });
});
