/**
 * A proxy between this server and the vendor (tryout findings): an answer it loses or rewrites after
 * the vendor did the work must count as spent and keep the call's idempotency_key, so a retry with
 * the key answers the first call and never bills a second generation.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, startTestSandbox, structured, tempDir, text, type Harness } from "../../helpers/harness.js";
import { jobOf, mark } from "../../helpers/results.js";

type Mode = "pass" | "gateway-timeout" | "status-forbidden" | "status-portal" | "renamed-url" | "label-html";

/** Forwards every request to `target`; `mode` says what it does to the answer. */
async function proxy(target: string, mode: () => Mode): Promise<{ url: string; server: Server }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const m = mode();
      if (m === "status-forbidden" && req.method === "GET") {
        res.writeHead(403, { "content-type": "text/html" }).end("<html><body><h1>403 Forbidden</h1></body></html>");
        return;
      }
      if (m === "status-portal" && req.method === "GET") {
        res.writeHead(200, { "content-type": "text/html" }).end("<html><head><title>Sign in to the network</title></head></html>");
        return;
      }
      const path = to.pathname.replace(/\/$/, "") + (req.url ?? "");
      const up = request(
        { host: to.hostname, port: to.port, path, method: req.method, headers: { ...req.headers, host: to.host } },
        (answer) => {
          const body: Buffer[] = [];
          answer.on("data", (c: Buffer) => body.push(c));
          answer.on("end", () => {
            // The vendor did the work; the proxy gave up waiting and says so in its own words.
            if (m === "gateway-timeout" && req.method === "POST") {
              res.writeHead(504, { "content-type": "text/html" }).end("<html><body><h1>504 Gateway Time-out</h1></body></html>");
              return;
            }
            let text = Buffer.concat(body).toString("utf8");
            if (m === "renamed-url" && req.method === "POST") text = text.replace(/"url":/g, '"image_url":');
            const type = m === "label-html" ? "text/html;charset=UTF-8" : (answer.headers["content-type"] ?? "application/json");
            res.writeHead(answer.statusCode ?? 502, { "content-type": type }).end(text);
          });
        },
      );
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("a proxy in front of Ark", () => {
  let h: Harness;
  let p: { url: string; server: Server };
  let mode: Mode = "gateway-timeout";
  beforeAll(async () => {
    const sandbox = await startTestSandbox();
    p = await proxy(sandbox.ark.baseUrl, () => mode);
    // The simulator serves the outputs itself, on an address other than the proxy configured as the base URL.
    h = await startHarness({
      existing: { sandbox, dir: tempDir() },
      env: { ARK_BASE_URL: p.url, AIGC_MCP_FETCH_ALLOW_HOSTS: "127.0.0.1" },
    });
  });
  afterAll(async () => {
    await h.close();
    p.server.close();
  });

  const posts = (m: ReturnType<typeof mark>) => m.since((r) => r.method === "POST").length;

  it("a 504 page after Seedream made the image: may be billed, counted as spent, and the key answers the first call", async () => {
    mode = "gateway-timeout";
    const m = mark(h.ark);
    const args = { prompt: "a kite at dusk", idempotency_key: "proxy-504-0001" };
    const first = await h.call("seedream_generate_image", args);
    expect(text(first)).toMatch(/^Error: CreateAnswerLost \(Ark/);
    expect(structured<{ cost?: Record<string, unknown> }>(first).cost).toMatchObject({ counted_as_spent: true });
    const again = await h.call("seedream_generate_image", args);
    expect(text(again)).toMatch(/repeats an earlier call/);
    expect(posts(m)).toBe(1);
  });

  it("a 504 page after a Seedance create: the task is looked up and attached, never created twice", async () => {
    mode = "gateway-timeout";
    const m = mark(h.ark);
    const args = { prompt: "tides", ratio: "16:9", resolution: "720p", duration: 5, wait_seconds: 20, idempotency_key: "proxy-504-0002" };
    const first = jobOf(await h.call("seedance_generate_video", args));
    expect(first.status, JSON.stringify(first)).toBe("succeeded");
    expect(jobOf(await h.call("seedance_generate_video", args)).job_id).toBe(first.job_id);
    expect(posts(m)).toBe(1);
  });

  it("an answer whose usage counts an image this server cannot read is billed, and keeps its key", async () => {
    mode = "renamed-url";
    const m = mark(h.ark);
    const args = { prompt: "a kite at noon", idempotency_key: "proxy-renamed-0001" };
    const first = await h.call("seedream_generate_image", args);
    expect(first.isError).toBe(true);
    expect(structured<{ cost?: Record<string, unknown> }>(first).cost).not.toHaveProperty("not_billed");
    expect(text(await h.call("seedream_generate_image", args))).toMatch(/repeats an earlier call/);
    expect(posts(m)).toBe(1);
  });

  it("a created task whose status the proxy refuses waits for the fix, keeps its key, and saves its output once fixed", async () => {
    mode = "status-forbidden";
    const m = mark(h.ark);
    const args = { prompt: "waves", ratio: "16:9", resolution: "720p", duration: 5, wait_seconds: 2, idempotency_key: "proxy-403-0001" };
    const first = jobOf(await h.call("seedance_generate_video", args));
    // Not ended (it used to fail, and its billed output was never downloaded): it says what to fix.
    expect(first.status).toMatch(/^(queued|running)$/);
    expect(first.detail).toMatch(
      /^Ark refused to show the task's status \(HTTP403, HTTP 403: .*\)\. The task may still finish and be billed\. The answer was a web page \(HTML\), not Ark's API: check that ARK_BASE_URL .*Then call wait_for_job with this job_id/,
    );
    const again = await h.call("seedance_generate_video", args);
    expect(jobOf(again).job_id).toBe(first.job_id);
    // While the refusal lasts, a wait asks once and answers at once: it used to wait out its whole budget.
    const asked = Date.now();
    const refused = jobOf(await h.call("wait_for_job", { job_id: first.job_id, wait_seconds: 60 }));
    expect(Date.now() - asked).toBeLessThan(30_000);
    expect(refused.status).toMatch(/^(queued|running)$/);
    expect(refused.detail).toMatch(/^Ark refused to show the task's status \(HTTP403, HTTP 403: 403 Forbidden\)/);
    mode = "pass";
    const done = jobOf(await h.call("wait_for_job", { job_id: first.job_id, wait_seconds: 20 }));
    expect(done).toMatchObject({ status: "succeeded", assets: [expect.objectContaining({ mime_type: "video/mp4" })] });
    expect(posts(m)).toBe(1);
  });

  it("a created task whose status a portal page answers (200) waits for the fix, and saves its output once fixed", async () => {
    mode = "status-portal";
    const args = { prompt: "tide", ratio: "16:9", resolution: "720p", duration: 5, wait_seconds: 2 };
    const first = jobOf(await h.call("seedance_generate_video", args));
    // It used to retry as a transient fault until its polls gave up, saying Ark could not be reached.
    expect(first.status).toMatch(/^(queued|running)$/);
    expect(first.detail).toMatch(
      /^A web page answered this server's request for the task's status, not Ark's API \(NotVendorApi, HTTP 200: .*Sign in to the network.*\)\. The task may still finish and be billed\. The answer was a web page \(HTML\), not Ark's API: check that ARK_BASE_URL/,
    );
    mode = "pass";
    const done = jobOf(await h.call("wait_for_job", { job_id: first.job_id, wait_seconds: 20 }));
    expect(done).toMatchObject({ status: "succeeded", assets: [expect.objectContaining({ mime_type: "video/mp4" })] });
  });

  it("the vendor's own JSON labelled text/html is still its answer: the task is followed and saved, nothing is refused", async () => {
    mode = "label-html";
    const m = mark(h.ark);
    const done = jobOf(
      await h.call("seedance_generate_video", { prompt: "labelled", duration: 5, wait_seconds: 20, idempotency_key: "label-html-01" }),
    );
    expect(done).toMatchObject({ status: "succeeded", assets: [expect.objectContaining({ mime_type: "video/mp4" })] });
    expect(posts(m)).toBe(1);
    mode = "pass";
  });
});
