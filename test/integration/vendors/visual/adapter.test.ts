import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AigcError } from "../../../../src/errors.js";
import { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { VisualClient, withRateLimitBackoff } from "../../../../src/vendors/visual/client.js";
import type { VisualConfig } from "../../../../src/vendors/visual/config.js";
import { signVolcRequest } from "../../../../src/vendors/visual/sign.js";
import { visualResult } from "../../../../src/vendors/visual/tasks.js";
import { failure } from "../../../helpers/failure.js";
import { lastRequest, mark } from "../../../helpers/results.js";

describe("Volcengine Visual adapter against the simulator", () => {
  let sim: VisualSimulator;
  let cfg: VisualConfig;
  let client: VisualClient;
  beforeAll(async () => {
    sim = await new VisualSimulator({ queuedMs: 100, runningMs: 200, syncDelayMs: 5, maxRenderEdge: 64 }).start();
    cfg = {
      accessKeyId: sim.accessKeyId,
      secretKey: sim.secretKey,
      baseUrl: sim.baseUrl,
      region: "cn-north-1",
      service: "cv",
      portraitReqKey: "i2i_portrait_photo",
    };
    client = new VisualClient(cfg, 2000);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.sim.clearFaults());

  it("runs in_queue → generating → done, with URLs or raw base64 as asked", async () => {
    const id = await client.submit({ req_key: "jimeng_t2i_v40", prompt: "a cat" });
    expect(id).toMatch(/^\d{19}$/);
    expect((await client.getResult("jimeng_t2i_v40", id)).data?.status).toBe("in_queue");
    sim.sim.advance(150);
    expect((await client.getResult("jimeng_t2i_v40", id)).data?.status).toBe("generating");
    sim.sim.advance(200);
    const urls = await client.getResult("jimeng_t2i_v40", id, JSON.stringify({ return_url: true }));
    expect(urls).toMatchObject({ code: 10000, data: { status: "done", binary_data_base64: null } });
    expect(urls.data!.image_urls![0]).toMatch(/X-Tos-Expires=86400/);
    const b64 = visualResult(await client.getResult("jimeng_t2i_v40", id));
    expect(b64.status).toBe("succeeded");
    const bytes = b64.outputs![0]!.data!;
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it("reports unknown tasks as not_found (code 10000) and expired tasks as expired", async () => {
    const nf = await client.getResult("jimeng_t2i_v40", "123");
    expect(nf).toMatchObject({ code: 10000, data: { status: "not_found" } });
    expect(visualResult(nf)).toMatchObject({ status: "expired", error: { code: "TaskNotFound" } });
    const id = await client.submit({ req_key: "jimeng_t2i_v40", prompt: "[expire] x" });
    sim.sim.advance(150);
    expect(visualResult(await client.getResult("jimeng_t2i_v40", id))).toMatchObject({ status: "expired", error: { code: "TaskExpired" } });
  });

  it("a failed generation is done with a non-10000 code, mapped to a failure naming the code", async () => {
    const id = await client.submit({ req_key: "jimeng_t2i_v40", prompt: "[fail] x" });
    sim.sim.advance(400);
    const env = await client.getResult("jimeng_t2i_v40", id);
    expect(env).toMatchObject({ code: 50511, data: { status: "done" } });
    expect(visualResult(env)).toMatchObject({
      status: "failed",
      error: { code: "50511", message: expect.stringMatching(/moderation/i), hint: "Generating again often passes." },
    });
    expect((visualResult(env) as { error: { message: string } }).error.message).not.toMatch(/again/);
  });

  it("maps input moderation on submit to content_policy with the code and request id", async () => {
    const e = await failure(client.submit({ req_key: "jimeng_t2i_v40", prompt: "[blocked] x" }));
    expect(e.info).toMatchObject({ category: "content_policy", code: "50412", httpStatus: 400 });
    expect(e.info.requestId).toMatch(/^\d{14}[0-9A-F]{18}$/);
    expect(e.info.hint).toMatch(/Rephrase/);
  });

  it("maps gateway errors to actionable messages", async () => {
    const wrongSk = await failure(
      new VisualClient({ ...cfg, secretKey: "not-the-secret-000" }, 2000).submit({ req_key: "jimeng_t2i_v40", prompt: "x" }),
    );
    expect(wrongSk.info).toMatchObject({ category: "auth", code: "SignatureDoesNotMatch", httpStatus: 401 });
    expect(wrongSk.info.hint).toMatch(/VOLC_SECRETKEY/);
    const wrongAk = await failure(
      new VisualClient({ ...cfg, accessKeyId: "AKLTunknown000" }, 2000).submit({ req_key: "jimeng_t2i_v40", prompt: "x" }),
    );
    expect(wrongAk.info).toMatchObject({ category: "auth", code: "InvalidAccessKey" });
    expect(wrongAk.info.hint).toMatch(/VOLC_ACCESSKEY/);
    const skewed = await failure(
      new VisualClient(cfg, 2000, () => new Date(Date.now() - 3600_000)).submit({ req_key: "jimeng_t2i_v40", prompt: "x" }),
    );
    expect(skewed.info).toMatchObject({ category: "auth", code: "InvalidTimestamp", httpStatus: 400 });
    expect(skewed.info.hint).toMatch(/clock.*(3[56]\d\d) s behind/);
    const badVersion = await failure(client.call("CVCancelTask", "2022-08-31", { req_key: "jimeng_t2i_v40", task_id: "1" }));
    expect(badVersion.info).toMatchObject({ category: "not_found", code: "InvalidActionOrVersion" });
    for (const e of [wrongSk, wrongAk, skewed]) expect(JSON.stringify(e.info)).not.toContain(sim.secretKey);
  });

  it("the simulator accepts Node-style signatures and refuses a body that does not match its hash", async () => {
    const body = JSON.stringify({ req_key: "jimeng_t2i_v40", task_id: "1" });
    const signed = signVolcRequest({
      method: "POST",
      path: "/",
      query: { Action: "CVSync2AsyncGetResult", Version: "2022-08-31" },
      headers: {},
      body,
      credentials: { accessKeyId: sim.accessKeyId, secretKey: sim.secretKey },
      region: "cn-north-1",
      service: "cv",
      date: new Date(),
      style: "node",
    });
    expect(signed.signedHeaders).toBe("x-content-sha256;x-date");
    const url = `${sim.baseUrl}/?Action=CVSync2AsyncGetResult&Version=2022-08-31`;
    const ok = await request(url, { method: "POST", headers: { "content-type": "application/json", ...signed.headers }, body });
    expect(((await ok.body.json()) as { code: number }).code).toBe(10000);
    const tampered = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...signed.headers },
      body: body.replace("1", "2"),
    });
    expect(tampered.statusCode).toBe(401);
    expect(JSON.stringify(await tampered.body.json())).toMatch(/SignatureDoesNotMatch.*X-Content-Sha256/);
  });

  it("sends and signs an STS session token", async () => {
    const sts = await new VisualSimulator({ sessionToken: "sts-token-abc", queuedMs: 10, runningMs: 10 }).start();
    try {
      const base = { ...cfg, accessKeyId: sts.accessKeyId, secretKey: sts.secretKey, baseUrl: sts.baseUrl };
      expect(
        await new VisualClient({ ...base, sessionToken: "sts-token-abc" }, 2000).submit({ req_key: "jimeng_t2i_v40", prompt: "x" }),
      ).toMatch(/^\d+$/);
      expect(lastRequest(sts).headers.authorization as string).toContain("x-security-token");
      const e = await failure(new VisualClient(base, 2000).submit({ req_key: "jimeng_t2i_v40", prompt: "x" }));
      expect(e.info).toMatchObject({ category: "auth", code: "InvalidSecurityToken" });
    } finally {
      await sts.close();
    }
  });

  it("backs off on 50430 (rejected, not billed) and succeeds; gives up when the budget is spent", async () => {
    const busy = {
      kind: "status" as const,
      status: 429,
      body: {
        code: 50430,
        data: null,
        message: "Request Has Reached API Concurrent Limit, Please Try Later",
        request_id: "x",
        status: 50430,
      },
    };
    sim.sim.inject(busy);
    const notes: string[] = [];
    const id = await withRateLimitBackoff(() => client.submit({ req_key: "jimeng_t2i_v40", prompt: "x" }), {
      deadlineMs: Date.now() + 5000,
      baseDelayMs: 20,
      onRetry: (m) => notes.push(m),
    });
    expect(id).toMatch(/^\d+$/);
    expect(notes[0]).toMatch(/busy \(50430: concurrency limit.*retrying/);
    sim.sim.inject({ ...busy, times: 50 });
    const e = await failure(
      withRateLimitBackoff(() => client.submit({ req_key: "jimeng_t2i_v40", prompt: "x" }), {
        deadlineMs: Date.now() + 100,
        baseDelayMs: 20,
      }),
    );
    expect(e.info).toMatchObject({ category: "rate_limit", code: "50430" });
    expect(e.info.hint).toMatch(/not billed/);
  });

  it("does not retry a submit that failed with 500 (it may have created a task), but retries polls", async () => {
    sim.sim.inject({
      kind: "status",
      status: 500,
      body: { code: 50500, data: null, message: "Internal Error", request_id: "r", status: 50500 },
    });
    const before = mark(sim);
    expect((await failure(client.submit({ req_key: "jimeng_t2i_v40", prompt: "x" }))).info).toMatchObject({
      category: "vendor",
      code: "50500",
    });
    expect(before.since().length).toBe(1);
    sim.sim.inject({ kind: "status", status: 502, times: 2, body: "bad gateway" });
    expect((await client.getResult("jimeng_t2i_v40", "1")).data?.status).toBe("not_found");
  });

  it("a transient code on a poll is thrown for the engine to retry, not a failure", () => {
    expect(() => visualResult({ code: 50429, message: "limit", data: null })).toThrow(AigcError);
    expect(visualResult({ code: 50500, message: "Internal Error", data: { status: "done" } })).toMatchObject({
      status: "failed",
      error: { code: "50500" },
    });
  });

  it("CVProcess answers directly; CVCancelTask uses Version 2024-06-06 and cancels queued tasks only", async () => {
    const env = await client.process({ req_key: "jimeng_high_aes_general_v21_L", prompt: "x", return_url: false });
    const r = visualResult(env);
    expect(r.status).toBe("succeeded");
    expect(r.outputs![0]!.data!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const id = await client.submit({ req_key: "jimeng_ti2v_v30_pro", prompt: "waves", frames: 121 });
    expect(await client.cancel("jimeng_ti2v_v30_pro", id)).toMatchObject({ code: 10000 });
    expect(lastRequest(sim).query.get("Version")).toBe("2024-06-06");
    const id2 = await client.submit({ req_key: "jimeng_ti2v_v30_pro", prompt: "waves", frames: 121 });
    sim.sim.advance(150);
    expect((await client.cancel("jimeng_ti2v_v30_pro", id2)).code).toBe(50200);
  });
});
