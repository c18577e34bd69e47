/** No credential, token or signature may appear in any result, error or log line. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redact } from "../../../src/log.js";
import { logLines, startHarness, type Harness } from "../../helpers/harness.js";

describe("secret hygiene", () => {
  let h: Harness;
  const outputs: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ env: { AIGC_MCP_AUTH_TOKEN: "mcp-token-should-never-leak-1234" } });
  });
  afterAll(() => h.close());

  it("never echoes the API key across successes, failures and faults", async () => {
    const key = h.ark.apiKey;
    h.ark.sim.inject({
      kind: "status",
      status: 400,
      body: { error: { code: "InvalidParameter", message: `bad key ${key} in Authorization: Bearer ${key}` } },
    });
    const calls = [
      h.call("seedream_generate_image", { prompt: "leak test" }),
      h.call("seedream_generate_image", { prompt: "ok" }),
      h.call("seedream_generate_image", { prompt: "[blocked]" }),
      h.call("seedance_generate_video", { prompt: "v", wait_seconds: 20 }),
      h.call("seedance_generate_video", { prompt: "[fail] v", wait_seconds: 20 }),
      h.call("list_jobs", {}),
    ];
    for (const r of await Promise.all(calls)) outputs.push(JSON.stringify(r));
    const all = outputs.join("\n") + "\n" + logLines.join("\n");
    expect(all).not.toContain(key);
    expect(all).not.toContain("mcp-token-should-never-leak-1234");
    expect(outputs.join("\n")).toContain("[redacted]");
  });

  it("a result string ending in a credential form is redacted and keeps every result readable (list_jobs included)", async () => {
    const prompt = "a cat. HMAC-SHA256 Credential=zz";
    const made = await h.call("seedream_generate_image", { prompt });
    expect(made.isError).toBeFalsy();
    const listed = await h.call("list_jobs", { limit: 50 });
    expect(listed.isError).toBeFalsy();
    const jobs = (listed.structuredContent as { jobs: Array<{ label?: string }> }).jobs;
    expect(jobs.map((j) => j.label)).toContain("a cat. HMAC-SHA256 Credential=[redacted]");
    // in JSON text (a log line's fields) the credential ends at the closing quote
    expect(redact(JSON.stringify({ label: prompt, next: 1 }))).toBe('{"label":"a cat. HMAC-SHA256 Credential=[redacted]","next":1}');
    expect(redact('HMAC-SHA256 Credential="AKLT1/2025/cn/cv/request", x')).toBe('HMAC-SHA256 Credential="[redacted]", x');
  });

  it("redacts bearer tokens, JWTs and signatures generically", () => {
    expect(redact("Authorization: Bearer abcdefghijklmnop")).toBe("Authorization: Bearer [redacted]");
    expect(redact("token eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2lnbmF0dXJlMTIz end")).toBe("token [redacted-jwt] end");
    expect(
      redact("HMAC-SHA256 Credential=AKLT123/20250101/cn-north-1/cv/request, SignedHeaders=host;x-date, Signature=0123456789abcdef0123"),
    ).toBe("HMAC-SHA256 Credential=[redacted], SignedHeaders=host;x-date, Signature=[redacted]");
    const presigned = "https://tos.example/v.mp4?X-Tos-Credential=AKLT%2F2025&X-Tos-Signature=abcdef0123456789";
    expect(redact(presigned)).toBe(presigned);
  });
});
