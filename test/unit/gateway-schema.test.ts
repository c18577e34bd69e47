/** The worker that compiles and checks callers' JSON Schemas (src/tools/gateway/schema.ts). */
import { describe, expect, it } from "vitest";
import { compileSchema } from "../../src/tools/gateway/schema.js";

/** A small schema that takes Ajv seconds to compile: 400 references to an object of 60 e-mail fields. */
function slowSchema(): Record<string, unknown> {
  const d = { type: "object", properties: {} as Record<string, unknown>, required: [] as string[] };
  for (let i = 0; i < 60; i++) {
    d.properties[`f${i}`] = { type: "string", minLength: 1, maxLength: 9, format: "email" };
    d.required.push(`f${i}`);
  }
  return {
    type: "object",
    $defs: { d },
    properties: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`p${i}`, { $ref: "#/$defs/d" }])),
  };
}

describe("the JSON Schema worker", () => {
  it("answers other sessions' checks while a slow schema compiles", { timeout: 20_000 }, async () => {
    const order: string[] = [];
    const slow = compileSchema(slowSchema(), 4000).then(
      () => order.push("slow"),
      () => order.push("slow"),
    );
    await new Promise((r) => setTimeout(r, 50));
    // Several at once: none may be queued behind the slow one.
    const others = await Promise.all(
      Array.from({ length: 6 }, (_, i) => compileSchema({ type: "object", required: [`a${i}`] }).then((v) => (order.push("other"), v))),
    );
    expect(await others[0]!({ a0: 1 })).toEqual({ valid: true });
    await slow;
    expect(order).toEqual([...Array<string>(6).fill("other"), "slow"]);
  });

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
