/** The worker that compiles and checks callers' JSON Schemas (src/tools/gateway/schema.ts). */
import { describe, expect, it } from "vitest";
import { compileSchema } from "../../src/tools/gateway/schema.js";

describe("the JSON Schema worker", () => {
  it("stops a compile past its deadline, and the ones queued behind it still get their answers", async () => {
    const properties = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`p${i}`, { type: "string", maxLength: i + 1 }]));
    const slow = compileSchema({ type: "object", properties }, 1);
    const queued = Array.from({ length: 3 }, (_, i) => compileSchema({ type: "object", required: [`q${i}`] }));
    await expect(slow).rejects.toThrow(/took longer than 0.001 s/);
    const validators = await Promise.all(queued);
    expect(await validators[0]!({ q0: 1 })).toEqual({ valid: true });
    expect(await validators[1]!({})).toMatchObject({ valid: false, errorMessage: expect.stringMatching(/q1/) });
  });
});
