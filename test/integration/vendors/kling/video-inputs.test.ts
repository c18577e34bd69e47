/**
 * Kling takes videos by URL only: an earlier output (its media:// URI) goes as its signed download
 * link when the server has one (AIGC_MCP_PUBLIC_URL); every other form is refused before any request.
 */
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, lastRequest, mark } from "../../../helpers/results.js";

const SECRET = "k".repeat(64);
let open: Harness[] = [];
async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness({ env });
  open.push(h);
  return h;
}
afterEach(async () => {
  for (const h of open) await h.close();
  open = [];
});

async function generated(h: Harness, tool: string, args: Record<string, unknown>) {
  const job = jobOf(await h.call(tool, { ...args, wait_seconds: 20 }));
  expect(job.status).toBe("succeeded");
  return job.assets[0]!;
}

describe("Kling video inputs", () => {
  it("refuses a path, a data: URI, or an output with no download link, saying what works, before any request", async () => {
    const h = await harness();
    const video = await generated(h, "kling_text_to_video", { prompt: "a kite" });
    const before = mark(h.sandbox.kling);
    const omni = (url: string) => h.call("kling_omni_video", { prompt: "edit it", video: { url, refer_type: "base" } });
    const noLink = await omni(video.uri);
    expect(noLink.isError).toBe(true);
    expect(text(noLink)).toMatch(
      /^Error: InvalidInput.*video\.url: Kling takes video inputs by URL only, and this server has no download link/,
    );
    expect(text(noLink)).toMatch(/AIGC_MCP_PUBLIC_URL/);
    for (const url of [video.path!, `file://${video.path}`, "data:video/mp4;base64,AAAA"]) {
      const r = await omni(url);
      expect(r.isError, url).toBe(true);
      expect(text(r)).toMatch(/video\.url: Kling takes video inputs by URL only; ".*" is not one/);
      expect(text(r)).toMatch(/media:\/\/files\/… URI of an earlier output/);
    }
    const element = await h.call("kling_create_element", { element_name: "kite", element_description: "a kite", video_url: video.path });
    expect(text(element)).toMatch(/video_url: Kling takes video inputs by URL only/);
    expect(before.since()).toHaveLength(0);
  });

  it("sends an earlier output as its signed download link (AIGC_MCP_PUBLIC_URL), and refuses one that is not a video", async () => {
    const h = await harness({
      AIGC_MCP_TRANSPORT: "http",
      AIGC_MCP_PUBLIC_URL: "https://aigc.example.com",
      AIGC_MCP_MEDIA_URL_SECRET: SECRET,
    });
    const video = await generated(h, "kling_text_to_video", { prompt: "a kite" });
    const r = await h.call("kling_omni_video", { prompt: "edit it", video: { url: video.uri, refer_type: "base" }, wait_seconds: 20 });
    expect(jobOf(r).status, text(r)).toBe("succeeded");
    const post = lastRequest(h.sandbox.kling, (q) => q.path.endsWith("omni-video") && q.method === "POST");
    const sent = new URL((post.json as { video_list: Array<{ video_url: string }> }).video_list[0]!.video_url);
    const name = video.uri.slice(video.uri.lastIndexOf("/") + 1);
    expect(`${sent.origin}${sent.pathname}`).toBe(`https://aigc.example.com/media/${name}`);
    expect(h.app.links!.verify(name, sent.searchParams.get("exp"), sent.searchParams.get("sig"))).toBe("ok");
    // Its own download_url, expired, stands for the same output: sent as a fresh link.
    const expired = (await h.app.links!.link(name, Date.now() - 30 * 24 * 3600_000)).url;
    const again = await h.call("kling_omni_video", { prompt: "edit it", video: { url: expired, refer_type: "base" }, wait_seconds: 20 });
    expect(jobOf(again).status, text(again)).toBe("succeeded");
    const resent = lastRequest(h.sandbox.kling, (q) => q.path.endsWith("omni-video") && q.method === "POST");
    const fresh = new URL((resent.json as { video_list: Array<{ video_url: string }> }).video_list[0]!.video_url);
    expect(fresh.href).not.toBe(expired);
    expect(h.app.links!.verify(name, fresh.searchParams.get("exp"), fresh.searchParams.get("sig"))).toBe("ok");

    const image = await generated(h, "kling_generate_image", { prompt: "a kite" });
    const before = mark(h.sandbox.kling);
    const wrong = await h.call("kling_omni_video", { prompt: "edit it", video: { url: image.uri, refer_type: "base" } });
    expect(text(wrong)).toMatch(/video\.url: media:\/\/files\/.* is image\/\w+, not video/);
    const unknown = await h.call("kling_omni_video", {
      prompt: "edit it",
      video: { url: "media://files/nothing.mp4", refer_type: "base" },
    });
    expect(text(unknown)).toMatch(/video\.url: media:\/\/files\/nothing\.mp4 was not found among the files this server generated/);
    for (const url of [`media://files/../${name}`, `media://files/sub/${name}`]) {
      const traversal = await h.call("kling_omni_video", { prompt: "edit it", video: { url, refer_type: "base" } });
      expect(text(traversal), url).toMatch(/was not found among the files this server generated/);
    }
    // /media/ serves only the file as generated: a removed one is refused, not sent as a link that answers 404.
    rmSync(video.path!);
    const removed = await h.call("kling_omni_video", { prompt: "edit it", video: { url: video.uri, refer_type: "base" } });
    expect(text(removed)).toMatch(
      /^Error: InvalidInput.*video\.url: media:\/\/files\/.* was removed from the output folder or changed since it was saved/,
    );
    const malformed = await h.call("kling_omni_video", {
      prompt: "edit it",
      video: { url: "media://files/%E0%A4%A.mp4", refer_type: "base" },
    });
    expect(text(malformed)).toMatch(/^Error: InvalidInput.*video\.url: media:\/\/files\/%E0%A4%A\.mp4 was not found/);
    expect(before.since()).toHaveLength(0);
  });

  it("refuses a link or URL the vendor cannot reach (a loopback public URL, an allow-listed host), downloading nothing", async () => {
    let fetched = 0;
    const host = createServer((_req, res) => void (fetched++, res.end("x")));
    await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
    const port = (host.address() as AddressInfo).port;
    const h = await harness({
      AIGC_MCP_TRANSPORT: "http",
      AIGC_MCP_PUBLIC_URL: "http://127.0.0.1:8080",
      AIGC_MCP_MEDIA_URL_SECRET: SECRET,
      AIGC_MCP_FETCH_ALLOW_HOSTS: `127.0.0.1:${port}`,
    });
    const allowed = await h.call("kling_omni_video", {
      prompt: "edit it",
      video: { url: `http://127.0.0.1:${port}/v.mp4`, refer_type: "base" },
    });
    expect(text(allowed)).toMatch(
      /^Error: UnreachableUrl: video\.url: http:\/\/127\.0\.0\.1:\d+\/v\.mp4 is on 127\.0\.0\.1:\d+, which this server may download from \(AIGC_MCP_FETCH_ALLOW_HOSTS\) but Kling cannot reach/,
    );
    expect(text(allowed)).toMatch(/What to do: Kling takes video inputs by URL only and fetches them itself/);
    expect(text(allowed)).not.toMatch(/data: URI|adding .* to AIGC_MCP_FETCH_ALLOW_HOSTS/);
    expect(fetched).toBe(0);
    host.close();
    const video = await generated(h, "kling_text_to_video", { prompt: "a kite" });
    const before = mark(h.sandbox.kling);
    const r = await h.call("kling_omni_video", { prompt: "edit it", video: { url: video.uri, refer_type: "base" } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/video\.url: .*127\.0\.0\.1:8080.*cannot reach/);
    expect(text(r)).toMatch(/this output's download link is on AIGC_MCP_PUBLIC_URL \(127\.0\.0\.1:8080\), which Kling cannot reach/);
    expect(text(r)).not.toMatch(/FILES_URL/);
    expect(before.since()).toHaveLength(0);
  });
});
