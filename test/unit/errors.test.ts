/** How failures read: sentences joined once, whatever punctuation the vendor's message ends with (issue 12 item 15). */
import { describe, expect, it } from "vitest";
import { AigcError, joinSentences, taskErrorShape, toErrorShape } from "../../src/errors.js";

describe("joining sentences", () => {
  it("adds one full stop, never a second", () => {
    expect(joinSentences("may contain sensitive information.", "What to do: rephrase")).toBe(
      "may contain sensitive information. What to do: rephrase.",
    );
    expect(joinSentences("no stop", "Next")).toBe("no stop. Next.");
    expect(joinSentences("Why?", "内容违规。", "done!", undefined, "  ")).toBe("Why? 内容违规。 done!");
  });

  it("toErrorShape keeps the vendor's message and the hint apart (the hint never inside message)", () => {
    const err = new AigcError({
      category: "content_policy",
      code: "InputTextSensitiveContentDetected",
      message: "The request failed because the input text may contain sensitive information.",
    });
    const { message, hint } = toErrorShape(err);
    expect(message).toBe("The request failed because the input text may contain sensitive information.");
    expect(hint).toMatch(/^Rephrase/);
    expect(taskErrorShape("X", "failed.", "content_policy")).toEqual({
      code: "X",
      message: "failed.",
      hint: expect.stringMatching(/^Rephrase/),
    });
  });
});
