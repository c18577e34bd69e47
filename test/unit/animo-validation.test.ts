import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { AigcError } from "../../src/errors.js";
import { animoError } from "../../src/vendors/animo/errors.js";
import { parseAnimoConfig } from "../../src/vendors/animo/config.js";
import { animoAsyncFields, animoStatusResult, animoSyncBody, checkAnimo } from "../../src/vendors/animo/video.js";

function fieldOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AigcError);
    expect((err as AigcError).info.category).toBe("invalid_input");
    return (err as AigcError).message.split(":")[0]!;
  }
  throw new Error("expected a validation error");
}

describe("Animo request rules", () => {
  it("accepts the documented ranges and values", () => {
    expect(() => checkAnimo({ prompt: "a bouncing ball", duration: 1, style: "anime", resolution: "720x480" }, "sync")).not.toThrow();
    expect(() => checkAnimo({ prompt: "a bouncing ball", duration: 60, style: "abstract", resolution: "1920x1080" }, "sync")).not.toThrow();
    expect(() => checkAnimo({ prompt: "only a prompt" }, "async")).not.toThrow();
  });

  it.each([
    [{ prompt: "  " }, "sync", "prompt"],
    [{ prompt: "x".repeat(4001) }, "sync", "prompt"],
    [{ prompt: "p", duration: 0 }, "sync", "duration"],
    [{ prompt: "p", duration: 61 }, "sync", "duration"],
    [{ prompt: "p", duration: 2.5 }, "sync", "duration"],
    [{ prompt: "p", style: "noir" }, "sync", "style"],
    [{ prompt: "p", resolution: "640x480" }, "sync", "resolution"],
    [{ prompt: "p", style: "anime" }, "async", "style"],
    [{ prompt: "p", duration: 5 }, "async", "duration"],
    [{ prompt: "p", resolution: "1280x720" }, "async", "resolution"],
    [{ prompt: "p", aspect_ratio: "16:9" }, "sync", "aspect_ratio"],
  ] as const)("rejects %j in %s mode naming %s", (req, mode, field) => {
    expect(fieldOf(() => checkAnimo(req, mode))).toBe(field);
  });

  it("names the allowed values", () => {
    expect(() => checkAnimo({ prompt: "p", style: "noir" }, "sync")).toThrow("cinematic, anime, realistic, cartoon, abstract");
    expect(() => checkAnimo({ prompt: "p", resolution: "4k" }, "sync")).toThrow("1920x1080, 1280x720, 720x480");
  });

  it("sends `prompt` (not the plugin's `query`) with the documented defaults", () => {
    const body = animoSyncBody({ prompt: "a comet" });
    expect(body).toEqual({ prompt: "a comet", duration: 10, style: "cinematic", resolution: "1280x720" });
    expect(body).not.toHaveProperty("query");
    expect(animoSyncBody({ prompt: "p", duration: 3, style: "cartoon", resolution: "720x480" })).toEqual({
      prompt: "p",
      duration: 3,
      style: "cartoon",
      resolution: "720x480",
    });
  });
});

describe("Animo async body fields", () => {
  it("sends engine and model only when configured, and aspect_ratio only when given", () => {
    expect(animoAsyncFields({ prompt: "p" }, {})).toEqual({});
    expect(animoAsyncFields({ prompt: "p", aspect_ratio: "9:16" }, {})).toEqual({ aspect_ratio: "9:16" });
    expect(animoAsyncFields({ prompt: "p" }, { model: "gpt-5.6-luna" })).toEqual({ model: "gpt-5.6-luna" });
    expect(animoAsyncFields({ prompt: "p", aspect_ratio: "1:1" }, { engine: "gemini", model: "gemini-2.5-pro" })).toEqual({
      aspect_ratio: "1:1",
      engine: "gemini",
      model: "gemini-2.5-pro",
    });
  });

  it("takes aspect_ratio in async mode, including ratios the server decides on", () => {
    expect(() => checkAnimo({ prompt: "p", aspect_ratio: "9:16" }, "async")).not.toThrow();
    expect(() => checkAnimo({ prompt: "p", aspect_ratio: "4:3" }, "async")).not.toThrow();
  });
});

describe("Animo async status mapping", () => {
  it("maps the animo.video states", () => {
    expect(animoStatusResult({ status: "PENDING" }).status).toBe("queued");
    expect(animoStatusResult({ status: "PROCESSING", progress: 42 })).toMatchObject({ status: "running", percent: 42 });
    expect(animoStatusResult({ status: "COMPLETED", videoUrl: "https://blob/v.mp4" })).toEqual({
      status: "succeeded",
      outputs: [{ url: "https://blob/v.mp4", mime: "video/mp4" }],
    });
    expect(animoStatusResult({ status: "COMPLETED" })).toMatchObject({ status: "failed", error: { code: "NoOutput" } });
    expect(animoStatusResult({ status: "FAILED", error: "scene did not compile" })).toEqual({
      status: "failed",
      error: { code: "GenerationFailed", message: "scene did not compile" },
    });
    expect(animoStatusResult({ status: "FAILED", error: { code: "E42", message: "boom" } })).toMatchObject({
      status: "failed",
      error: { code: "E42", message: "boom" },
    });
  });
});

describe("Animo configuration", () => {
  const key = "animo-key-1234567890";
  it("is off without credentials and needs both key and endpoint", () => {
    expect(parseAnimoConfig({})).toBeUndefined();
    expect(() => parseAnimoConfig({ ANIMO_API_KEY: key })).toThrow(ConfigError);
    expect(() => parseAnimoConfig({ ANIMO_API_KEY: key })).toThrow(/ANIMO_ENDPOINT: is required/);
    expect(() => parseAnimoConfig({ ANIMO_ENDPOINT: "https://animo.example/gen" })).toThrow(/ANIMO_API_KEY/);
  });
  it("parses mode, timeout and the endpoint", () => {
    expect(parseAnimoConfig({ ANIMO_API_KEY: key, ANIMO_ENDPOINT: "https://animo.example/gen/" })).toEqual({
      apiKey: key,
      endpoint: "https://animo.example/gen",
      mode: "sync",
      timeoutMs: 600_000,
    });
    const a = parseAnimoConfig({
      ANIMO_API_KEY: key,
      ANIMO_ENDPOINT: "https://api.animo.video/v1/video/generation",
      ANIMO_MODE: "async",
      ANIMO_TIMEOUT_S: "30",
    });
    expect(a).toMatchObject({ endpoint: "https://api.animo.video", mode: "async", timeoutMs: 30_000 });
    expect(() => parseAnimoConfig({ ANIMO_API_KEY: key, ANIMO_ENDPOINT: "https://x.example", ANIMO_MODE: "stream" })).toThrow(
      /ANIMO_MODE: must be sync or async/,
    );
    expect(() => parseAnimoConfig({ ANIMO_API_KEY: key, ANIMO_ENDPOINT: "https://x.example", ANIMO_TIMEOUT_S: "0" })).toThrow(
      /ANIMO_TIMEOUT_S/,
    );
    expect(() => parseAnimoConfig({ ANIMO_API_KEY: key, ANIMO_ENDPOINT: "ftp://x.example" })).toThrow(/ANIMO_ENDPOINT/);
  });
});

describe("Animo error mapping", () => {
  const h = { "x-request-id": "rid-1" };
  it.each([
    [401, '{"error":"Invalid or missing API key","code":"UNAUTHORIZED"}', "auth", "UNAUTHORIZED", "Invalid or missing API key"],
    [
      400,
      '{"error":"duration must be an integer","code":"INVALID_PARAMETER"}',
      "invalid_input",
      "INVALID_PARAMETER",
      "duration must be an integer",
    ],
    [
      400,
      '{"error":"rejected by the content policy","code":"CONTENT_POLICY_VIOLATION"}',
      "content_policy",
      "CONTENT_POLICY_VIOLATION",
      "rejected by the content policy",
    ],
    [422, '{"error":{"code":"bad_prompt","message":"prompt too vague"}}', "invalid_input", "bad_prompt", "prompt too vague"],
    [402, '{"message":"no credits"}', "quota", "HTTP402", "no credits"],
    [429, "slow down", "rate_limit", "HTTP429", "slow down"],
    [503, "<html><body><h1>503 Service Unavailable</h1></body></html>", "vendor", "HTTP503", "503 Service Unavailable"],
    [504, "", "timeout", "HTTP504", "HTTP 504 with an empty body"],
  ] as const)("HTTP %i %s → %s", (status, body, category, code, message) => {
    const e = animoError(status, h, body, "sync");
    expect(e.info).toMatchObject({ category, code, message, httpStatus: status, requestId: "rid-1", vendor: "Animo" });
  });
  it("gives the endpoint hint on 404 and says a failed sync render is not repeated", () => {
    expect(animoError(404, {}, "Not Found", "sync").info.hint).toMatch(/ANIMO_ENDPOINT/);
    expect(animoError(404, {}, "{}", "status").info.hint).toMatch(/request id/);
    expect(animoError(500, {}, '{"error":"render crashed"}', "sync").info.hint).toMatch(/not repeated automatically/);
    expect(animoError(429, { "retry-after": "3" }, "", "submit").info).toMatchObject({ retryAfterMs: 3000 });
  });
});
