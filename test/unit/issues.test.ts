/** Schema failures in plain words (src/tools/issues.ts): "must not be empty", and limits with the right singular or plural. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssues } from "../../src/tools/issues.js";

function said(schema: z.ZodType, input: unknown): string {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error("expected a failure");
  return describeIssues(parsed.error.issues, input).message;
}

describe("describeIssues", () => {
  it("a minimum of one character or item reads 'must not be empty'", () => {
    expect(said(z.object({ prompt: z.string().min(1) }), { prompt: "" })).toBe("prompt: must not be empty");
    expect(said(z.object({ prompt: z.string().nonempty() }), { prompt: "" })).toBe("prompt: must not be empty");
    expect(said(z.object({ images: z.array(z.string()).min(1) }), { images: [] })).toBe("images: must not be empty");
  });

  it("one is singular, every other count plural", () => {
    expect(said(z.object({ images: z.array(z.string()).max(1) }), { images: ["a", "b"] })).toBe("images: must have at most 1 item");
    expect(said(z.object({ images: z.array(z.string()).length(1) }), { images: [] })).toBe("images: must have exactly 1 item");
    expect(said(z.object({ code: z.string().length(1) }), { code: "ab" })).toBe("code: must have exactly 1 character");
    expect(said(z.object({ prompt: z.string().max(1) }), { prompt: "ab" })).toBe("prompt: must have at most 1 character");
    expect(said(z.object({ prompt: z.string().min(2) }), { prompt: "a" })).toBe("prompt: must have at least 2 characters");
    expect(said(z.object({ images: z.array(z.string()).max(14) }), { images: Array(15).fill("a") })).toBe(
      "images: must have at most 14 items",
    );
  });

  it("unknown keys: one is 'an unknown key', several 'unknown keys'", () => {
    expect(said(z.strictObject({ a: z.string() }), { a: "x", b: 1 })).toBe('arguments: has an unknown key "b"');
    expect(said(z.strictObject({ a: z.string() }), { a: "x", b: 1, c: 2 })).toBe('arguments: has unknown keys "b", "c"');
  });
});
