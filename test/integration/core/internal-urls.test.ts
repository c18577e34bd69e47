/**
 * Issue 12 item 6: URL inputs on hosts a cloud vendor cannot reach (a self-hosted Dify's
 * `http://api:5001/files/…` or `http://127.0.0.1:…`) are refused before any vendor call, naming the
 * host, AIGC_MCP_FETCH_ALLOW_HOSTS and Dify's FILES_URL, or, for an allow-listed host, downloaded
 * here and sent as bytes. A URL on a vendor's own host (the simulators: the vendors' public CDNs in
 * the sandbox) is sent on as is. The simulators fail a task whose input URL they could not fetch.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "../../../src/sandbox/media-fixtures.js";
import { ArkClient } from "../../../src/vendors/ark/client.js";
import { KlingClient } from "../../../src/vendors/kling/client.js";
import { VisualClient } from "../../../src/vendors/visual/client.js";
import { failure } from "../../helpers/failure.js";
import { startHarness, text, type Harness } from "../../helpers/harness.js";
import { jobOf, lastRequest, mark } from "../../helpers/results.js";

const png = makePng(320, 320, 3);
const SEEDANCE = "doubao-seedance-2-0-260128";

describe("URL inputs on hosts the vendor cannot reach", () => {
  let h: Harness;
  let files: { server: Server; host: string };
  let hits = 0;
  beforeAll(async () => {
    files = await new Promise((resolve) => {
      const server = createServer((_req, res) => {
        hits++;
        res.writeHead(200, { "content-type": "image/png" }).end(png);
      }).listen(0, "127.0.0.1", () => resolve({ server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` }));
    });
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
    files.server.close();
  });

  it("refuses loopback, private, link-local, ULA and single-label hosts before any vendor call, for every vendor", async () => {
    const before = [mark(h.sandbox.ark), mark(h.sandbox.kling), mark(h.sandbox.visual)];
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["kling_image_to_video", { image: `http://${files.host}/files/tools/9f0c2a.png?timestamp=1&sign=s3cr3t` }, files.host],
      ["seedream_generate_image", { prompt: "make it blue", images: ["http://api:5001/files/tools/9f0c2a.png?sign=s3cr3t"] }, "api:5001"],
      ["seedance_generate_video", { prompt: "p", first_frame: "http://192.168.1.20/a.png" }, "192.168.1.20"],
      ["jimeng_generate_image", { prompt: "p", images: ["http://10.0.0.7:8080/a.png"] }, "10.0.0.7:8080"],
      ["kling_omni_video", { prompt: "p", aspect_ratio: "16:9", video: { url: "http://[fd12::5]/v.mp4" } }, "[fd12::5]"],
      ["seedream_generate_image", { prompt: "p", images: ["http://host.docker.internal/files/a.png"] }, "host.docker.internal"],
      ["seedream_generate_image", { prompt: "p", images: ["http://localhost/files/a.png"] }, "localhost"],
    ];
    for (const [tool, args, host] of cases) {
      const r = await h.call(tool, args);
      const t = text(r);
      expect(r.isError, `${tool} ${host}`).toBe(true);
      expect(t, tool).toMatch(/^Error: UnreachableUrl: /);
      expect(t, tool).toContain(`is on ${host}, a loopback, private, link-local or single-label host`);
      // Kling takes videos by URL only: downloading them here cannot help, so the allow-list is not offered.
      if (tool === "kling_omni_video") expect(t, tool).not.toContain("AIGC_MCP_FETCH_ALLOW_HOSTS");
      else expect(t, tool).toContain(`adding ${host} to AIGC_MCP_FETCH_ALLOW_HOSTS`);
      expect(t, tool).toContain("FILES_URL");
      expect(t, tool).not.toContain("s3cr3t");
    }
    for (const m of before) expect(m.since()).toHaveLength(0);
    expect(hits).toBe(0);
  });

  it("never suggests allow-listing a link-local or cloud metadata host: it asks for the file's bytes instead", async () => {
    const before = [mark(h.sandbox.ark), mark(h.sandbox.visual)];
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["jimeng_generate_video", { prompt: "p", first_frame: "http://169.254.10.1/a.png" }, "169.254.10.1"],
      ["seedream_generate_image", { prompt: "p", images: ["http://169.254.169.254/latest/meta-data/"] }, "169.254.169.254"],
      ["seedream_generate_image", { prompt: "p", images: ["http://[fe80::1]/a.png"] }, "[fe80::1]"],
      ["seedream_generate_image", { prompt: "p", images: ["http://[::ffff:169.254.169.254]/a.png"] }, "[::ffff:a9fe:a9fe]"],
      ["seedream_generate_image", { prompt: "p", images: ["http://100.100.100.200/latest/meta-data/"] }, "100.100.100.200"],
      [
        "seedream_generate_image",
        { prompt: "p", images: ["http://metadata.google.internal/computeMetadata/v1/"] },
        "metadata.google.internal",
      ],
    ];
    for (const [tool, args, host] of cases) {
      const t = text(await h.call(tool, args));
      expect(t, host).toMatch(/^Error: UnreachableUrl: /);
      expect(t, host).toContain(`is on ${host}, a loopback, private, link-local or single-label host`);
      expect(t, host).toContain(`${host} is a link-local or cloud metadata address, never one to allow-list`);
      expect(t, host).toContain("pass the file itself as a data: URI (its bytes)");
      expect(t, host).not.toMatch(/adding \S+ to AIGC_MCP_FETCH_ALLOW_HOSTS/);
    }
    for (const m of before) expect(m.since()).toHaveLength(0);
  });

  it("downloads an allow-listed internal host and sends the bytes, never the URL", async () => {
    const h2 = await startHarness({ existing: { sandbox: h.sandbox, dir: h.dir }, env: { AIGC_MCP_FETCH_ALLOW_HOSTS: files.host } });
    try {
      const url = `http://${files.host}/files/tools/9f0c2a.png?sign=s3cr3t`;
      const r = await h2.call("seedream_generate_image", { prompt: "make it blue", images: [url] });
      expect(r.isError, text(r)).toBeFalsy();
      const sent = (lastRequest(h.sandbox.ark, "/images/generations").json as { image: string[] | string }).image;
      expect([sent].flat()).toEqual([`data:image/png;base64,${png.toString("base64")}`]);
      const k = await h2.call("kling_image_to_video", { image: url, prompt: "p", wait_seconds: 0 });
      expect(k.isError, text(k)).toBeFalsy();
      const body = lastRequest(h.sandbox.kling, (q) => q.method === "POST").json as Record<string, unknown>;
      expect(JSON.stringify(body)).not.toContain(files.host);
      expect(body.image).toBe(png.toString("base64"));
      expect(hits).toBe(2);
    } finally {
      await h2.close();
    }
  });

  it("sends a URL on a vendor's own host on as is: a Seedream output animated by Kling", async () => {
    const image = jobOf(await h.call("seedream_generate_image", { prompt: "a lighthouse" })).assets[0]!.url!;
    expect(image).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\//);
    const r = await h.call("kling_image_to_video", { image, prompt: "waves", wait_seconds: 30 });
    expect(jobOf(r).status, text(r)).toBe("succeeded");
    const create = requestsWithImage(h, image);
    expect(create).toBe(true);
  });

  it("the simulators fail the task, as the vendors do, when an input URL is not reachable from the internet", async () => {
    const ark = new ArkClient({ apiKey: h.sandbox.ark.apiKey, baseUrl: h.sandbox.ark.baseUrl }, 2000);
    const content = (url: string) => [
      { type: "text", text: "p" },
      { type: "image_url", image_url: { url }, role: "first_frame" },
    ];
    const failed = await ark.createVideoTask({ model: SEEDANCE, content: content("http://api:5001/files/a.png") });
    h.sandbox.ark.sim.advance(60_000);
    expect(await ark.getVideoTask(failed)).toMatchObject({ status: "failed", error: { code: "InvalidParameter" } });
    const own = await ark.createVideoTask({ model: SEEDANCE, content: content(`${h.sandbox.kling.sim.url}/media/x.png`) });
    h.sandbox.ark.sim.advance(60_000);
    expect(await ark.getVideoTask(own)).toMatchObject({ status: "succeeded" });
    const sync = await failure(
      ark.generateImages({ model: "doubao-seedream-4-0-20260415", prompt: "p", image: ["http://10.1.2.3/a.png"] }),
    );
    expect(sync.info).toMatchObject({ code: "InvalidParameter" });
    expect(sync.message).toMatch(/failed to download/);

    const k = h.sandbox.kling;
    const kling = new KlingClient(
      { accessKey: k.accessKey, secretKey: k.secretKey, baseUrl: k.baseUrl, videoModel: "kling-v2-6", imageModel: "kling-v2-1" },
      { timeoutMs: 2000 },
    );
    const created = await kling.createTask("videos/image2video", {
      model_name: "kling-v2-6",
      image: "http://127.0.0.1:9/a.png",
      prompt: "p",
    });
    k.sim.advance(600_000);
    expect(await kling.getTask("videos/image2video", created.taskId)).toMatchObject({
      task_status: "failed",
      task_status_msg: expect.stringMatching(/Failed to download/),
    });

    const visual = new VisualClient(
      {
        accessKeyId: h.sandbox.visual.accessKeyId,
        secretKey: h.sandbox.visual.secretKey,
        baseUrl: h.sandbox.visual.baseUrl,
        region: "cn-north-1",
        service: "cv",
        portraitReqKey: "i2i_portrait_photo",
      },
      2000,
    );
    const id = await visual.submit({ req_key: "jimeng_t2i_v40", prompt: "p", image_urls: ["http://minio:9000/a.png"] });
    h.sandbox.visual.sim.advance(600_000);
    expect(await visual.getResult("jimeng_t2i_v40", id)).toMatchObject({
      code: 50206,
      message: expect.stringMatching(/failed to download/),
    });
  });
});

function requestsWithImage(h: Harness, image: string): boolean {
  const body = lastRequest(h.sandbox.kling, (q) => q.method === "POST").json as Record<string, unknown>;
  return body.image === image;
}
