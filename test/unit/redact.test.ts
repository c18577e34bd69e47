/**
 * src/log.ts redaction (issue 16, goal 4): job records are scrubbed string by string before every
 * write, so a string no credential pattern can match is passed over with one search instead of four
 * regular-expression replacements; what is scrubbed stays exactly the same.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { clip, redact, redactDeep, registerSecret } from "../../src/log.js";

afterEach(() => vi.restoreAllMocks());

describe("redaction", () => {
  it("scrubs every credential form, whatever its case", () => {
    registerSecret("sk-test-secret-0001");
    expect(redact("key sk-test-secret-0001 here")).toBe("key [redacted] here");
    expect(redact("authorization: bearer abcdefgh12345678")).toBe("authorization: bearer [redacted]");
    expect(redact("BEARER abcdefgh12345678")).toBe("BEARER [redacted]");
    expect(redact("token eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl end")).toBe("token [redacted-jwt] end");
    expect(redact("HMAC-SHA256 credential=AKLT/20261201/cn/cv/request, SignedHeaders=host;x-date, Signature=0a1b2c3d")).toBe(
      "HMAC-SHA256 credential=[redacted], SignedHeaders=host;x-date, Signature=[redacted]",
    );
  });

  it("clip redacts before it cuts, so a secret the cut would split shows no part of itself", () => {
    registerSecret("clip-secret-0123456789");
    const text = `${"x".repeat(180)}clip-secret-0123456789 and more`;
    expect(clip(text, 190)).toBe(`${"x".repeat(180)}[redacted…`);
    expect(clip(text, 190)).not.toMatch(/clip-sec/);
    expect(clip("short", 190)).toBe("short");
    expect(clip("abcdef", 4)).toBe("abc…");
  });

  it("passes over a record with no credential in it without running the patterns", () => {
    const record = {
      job_id: "k.ark.image.tpcg68.C3abcdefghijklmnopqrstuvwxyz",
      status: "succeeded",
      label: "a lighthouse at dusk",
      assets: [{ uri: "media://files/20261201-015856-ark-image-80d804ed-1.jpg", url: "http://127.0.0.1:1/m.jpeg?X-Tos-Expires=86400" }],
    };
    const replace = vi.spyOn(String.prototype, "replace");
    expect(redactDeep(record)).toEqual(record);
    expect(replace).not.toHaveBeenCalled();
  });
});
