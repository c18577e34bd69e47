/** Ark's error answers mapped to errors with the hint that fits (src/vendors/ark/errors.ts). */
import { describe, expect, it } from "vitest";
import { registerSecret } from "../../src/log.js";
import type { HttpResponse } from "../../src/net/http.js";
import { arkError } from "../../src/vendors/ark/errors.js";

function answer(status: number, code: string, message: string): HttpResponse {
  const body = Buffer.from(JSON.stringify({ error: { code, message } }));
  return { status, headers: {}, body, text: () => body.toString(), json: () => JSON.parse(body.toString()) as unknown };
}

describe("Ark errors", () => {
  it("explain an unknown task as a task, and an unknown model as a model", () => {
    const task = arkError(answer(404, "NotFound.TaskId", "The specified task cgt-1 is not found. Request id: r-1"));
    expect(task.info).toMatchObject({ code: "NotFound.TaskId", requestId: "r-1" });
    expect(task.info.hint).toMatch(/does not know this task/);
    expect(task.info.hint).not.toMatch(/model/);
    const model = arkError(answer(404, "InvalidEndpointOrModel.NotFound", "The model x does not exist"));
    expect(model.info.hint).toMatch(/model id is unknown or not activated/);
  });

  it("shorten an answer that is not JSON only after redacting it: a key it echoes across the cut shows no part", () => {
    registerSecret("ark-echoed-key-0123456789");
    const body = Buffer.from(`<html>${"x".repeat(185)}ark-echoed-key-0123456789</html>`);
    const err = arkError({ status: 502, headers: {}, body, text: () => body.toString(), json: () => undefined });
    expect(err.message).not.toMatch(/ark-ech/);
    expect(err.message).toMatch(/\[redact/);
  });
});
