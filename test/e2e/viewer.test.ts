/**
 * The MCP App viewer (issue 15) in headless Chromium: a minimal host page speaking the ext-apps
 * protocol (AppBridge) loads the viewer HTML under the default MCP Apps CSP and proxies the view's
 * tools/call and resources/read to the built server in --sandbox. Screenshots of each state go to
 * test-results/screenshots/ (git-ignored). Code run inside the page is given as strings: the test
 * program has no DOM types.
 */
import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Frame } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { jobOf } from "../helpers/results.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { startS3 } from "../helpers/s3.js";
import { findChromium } from "../helpers/video.js";
import { startViewerRig } from "../helpers/viewer-host.js";
import { stdioClient } from "./helpers.js";

const CHROMIUM = findChromium();
const SHOTS = new URL("../../test-results/screenshots/", import.meta.url);
const shot = (name: string) => ({ path: new URL(`viewer-${name}.png`, SHOTS).pathname });
/** Waits until an expression is true in the viewer (polled with evaluate: the CSP forbids the eval that waitForFunction uses). */
const until = (frame: Frame, expr: string, timeout = 10_000) => expect.poll(() => frame.evaluate(expr), { timeout }).toBe(true);
const TERMINAL = ["succeeded", "failed", "cancelled", "expired"];
const HOSTILE = `<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>`;

describe.skipIf(!CHROMIUM)(
  CHROMIUM ? "the viewer in Chromium" : "the viewer in Chromium (skipped: no chromium on PATH; .ci/run installs it)",
  () => {
    let client: Client;
    let rig: Awaited<ReturnType<typeof startViewerRig>>;
    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      ({ client } = await stdioClient({ AIGC_MCP_OUTPUT_DIR: tempDir("aigc-viewer-") }, ["--sandbox"]));
      rig = await startViewerRig(client, CHROMIUM!);
    });
    afterAll(async () => {
      await rig?.close();
      await client?.close();
    });

    it("the HTML is one self-contained file under 150 kB that names no external origin", () => {
      expect(Buffer.byteLength(rig.html)).toBeLessThan(150_000);
      expect(rig.html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|https?:\/\/[a-z]/i);
    });

    it("a finished image job: the gallery shows the image at its real pixel size, and it enlarges", async () => {
      const r = await call("seedream_generate_image", { prompt: "a lighthouse at dusk" });
      const asset = jobOf(r).assets[0]!;
      const host = await rig.open();
      await host.input({ prompt: "a lighthouse at dusk" });
      await host.result(r);
      const img = host.view.locator(".gallery img");
      await img.waitFor();
      await until(host.frame(), `document.querySelector(".gallery img")?.naturalWidth > 0`);
      const size = await host
        .frame()
        .evaluate<{ w: number; h: number; src: string }>(
          `(i => ({ w: i.naturalWidth, h: i.naturalHeight, src: i.src.slice(0, 11) }))(document.querySelector(".gallery img"))`,
        );
      expect(size).toEqual({ w: asset.width, h: asset.height, src: `data:${asset.mime_type.slice(0, 6)}` });
      await expect.poll(() => host.view.locator(".facts").first().textContent()).toContain(`${asset.width}×${asset.height}`);
      expect(await host.view.locator(".model").textContent()).toBe(jobOf(r).model);
      await host.page.locator("iframe").screenshot(shot("image"));
      await host.view.locator(".thumb").click();
      await host.view.locator(".lightbox img").waitFor();
      await host.page.locator("iframe").screenshot(shot("image-enlarged"));
      await host.view.locator(".lightbox").press("Escape");
      await host.view.locator(".lightbox").waitFor({ state: "detached" });
      await host.view.locator(".thumb").click();
      await host.view.locator(".lightbox").click();
      await host.view.locator(".lightbox").waitFor({ state: "detached" });
      expect(rig.reads).toEqual([asset.uri]); // read once, through resources/read
      expect(host.requests.filter((u) => !u.startsWith(rig.url) && !u.startsWith("data:"))).toEqual([]);
      expect(host.cspViolations).toEqual([]);
      expect(host.errors).toEqual([]);
      await host.close();
    });

    it("a running video job: the card follows it to success by itself, then the video plays", async () => {
      const r = await call("seedance_generate_video", { prompt: "waves on a beach", wait_seconds: 0 });
      expect(["submitting", "queued", "running"]).toContain(jobOf(r).status);
      const host = await rig.open();
      await host.result(r);
      await host.view.locator(".card .elapsed").waitFor();
      await host.page.locator("iframe").screenshot(shot("running"));
      await host.view.locator('.card[data-status="succeeded"]').waitFor({ timeout: 60_000 });
      const waits = (await host.calls()).filter((c) => c.name === "wait_for_job");
      expect(waits[0]).toEqual({ name: "wait_for_job", arguments: { job_id: jobOf(r).job_id, wait_seconds: 0 } });
      expect(waits.slice(1).every((c) => c.arguments?.wait_seconds === 20)).toBe(true);
      // The only video of the result is read at once; it reaches canplay and plays.
      const frame = host.frame();
      await until(frame, `document.querySelector("video")?.readyState >= 3`, 30_000); // canplay
      await frame.evaluate(`(v => { v.muted = true; return v.play(); })(document.querySelector("video"))`);
      await until(frame, `document.querySelector("video").currentTime > 0.3`, 30_000);
      await frame.evaluate(`document.querySelector("video").pause()`);
      await host.page.locator("iframe").screenshot(shot("video"));
      expect(host.requests.filter((u) => !u.startsWith(rig.url) && !u.startsWith("data:"))).toEqual([]);
      expect(host.cspViolations).toEqual([]);
      await host.close();
    });

    it("Cancel calls cancel_job and the card shows what it did", async () => {
      // Ark cancels only queued tasks: a server of its own on an Ark simulator that keeps tasks queued 30 s
      // (the sandbox's 1.5 s is too short to be sure of on a loaded machine).
      const ark = await new ArkSimulator({ queuedMs: 30_000, runningMs: 1000, imageDelayMs: 20, maxRenderEdge: 256 }).start();
      const slow = await stdioClient({ ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl, AIGC_MCP_OUTPUT_DIR: tempDir("aigc-viewer-") });
      const rig2 = await startViewerRig(slow.client, CHROMIUM!);
      try {
        const r = (await slow.client.callTool({
          name: "seedance_generate_video",
          arguments: { prompt: "to cancel", wait_seconds: 0 },
        })) as CallToolResult;
        const host = await rig2.open();
        await host.result(r);
        await host.view.locator("button.cancel").click();
        await host.view.locator('.card[data-status="cancelled"]').waitFor({ timeout: 30_000 });
        expect((await host.calls()).filter((c) => c.name === "cancel_job")).toEqual([
          { name: "cancel_job", arguments: { job_id: jobOf(r).job_id } },
        ]);
        expect(await host.view.locator(".note").textContent()).toMatch(/removed the queued task/);
        expect(await host.view.locator("button.cancel").count()).toBe(0);
        await host.page.locator("iframe").screenshot(shot("cancelled"));
        await host.close();
      } finally {
        await rig2.close();
        await slow.client.close();
        await ark.close();
      }
    });

    it("a failed job shows the error code, message, request id and job id", async () => {
      const r = await call("seedance_generate_video", { prompt: "a cat [fail]", wait_seconds: 60 });
      const job = jobOf(r);
      expect(job.status).toBe("failed");
      const host = await rig.open();
      await host.result(r);
      await host.view.locator('.card[data-status="failed"]').waitFor();
      expect(await host.view.locator(".error-code").textContent()).toBe(job.error!.code);
      expect(await host.view.locator(".error-message").textContent()).toBe(job.error!.message);
      if (job.error!.request_id) expect(await host.view.locator(".request-id").textContent()).toContain(job.error!.request_id);
      expect(await host.view.locator(".job-id").textContent()).toContain(job.job_id);
      await host.page.locator("iframe").screenshot(shot("failed"));
      await host.close();
    });

    it("an audio asset gets a player with its bytes", async () => {
      const r = await call("gateway_speech", { text: "Hello from the viewer.", wait_seconds: 30 });
      expect(jobOf(r).status).toBe("succeeded");
      const host = await rig.open();
      await host.result(r);
      await until(host.frame(), `document.querySelector("audio")?.duration > 0`, 20_000);
      expect(await host.frame().evaluate(`document.querySelector("audio").src.slice(0, 11)`)).toBe("data:audio/");
      await host.page.locator("iframe").screenshot(shot("audio"));
      await host.close();
    });

    it("strings from the result and the prompt render as text: no element, no script is made from them", async () => {
      const host = await rig.open();
      await host.input({ prompt: HOSTILE });
      const failed = {
        job_id: HOSTILE,
        status: "failed",
        vendor: HOSTILE,
        model: HOSTILE,
        assets: [],
        detail: HOSTILE,
        error: { code: HOSTILE, message: HOSTILE, request_id: HOSTILE },
        warnings: [HOSTILE],
      };
      await host.result({ content: [{ type: "text", text: HOSTILE }], structuredContent: failed, isError: true });
      await host.view.locator('.card[data-status="failed"]').waitFor();
      for (const sel of [".prompt", ".model", ".vendor", ".error-code", ".error-message", ".warnings li"])
        expect(await host.view.locator(sel).textContent(), sel).toBe(HOSTILE);
      expect(await host.view.locator(".request-id").textContent()).toBe(`request id ${HOSTILE}`);
      expect(await host.view.locator(".job-id").textContent()).toBe(`job ${HOSTILE}`);
      const dom = () =>
        host.frame().evaluate(`({
          imgs: document.querySelectorAll("img").length,
          scripts: document.querySelectorAll("script").length,
          onerror: document.querySelectorAll("[onerror]").length,
          pwned: window.pwned ?? null,
        })`);
      expect(await dom()).toEqual({ imgs: 0, scripts: 1, onerror: 0, pwned: null });
      await host.page.locator("iframe").screenshot(shot("escaped"));
      // The vendor state of a running job.
      await host.result({ content: [], structuredContent: { ...failed, job_id: "no-such-job", status: "running", error: undefined } });
      await host.view.locator(".state").waitFor();
      expect(await host.view.locator(".state").textContent()).toContain(`running: ${HOSTILE}`);
      expect(await host.view.locator("button.cancel").count()).toBe(0); // no _meta: not known to be cancellable
      expect(await dom()).toEqual({ imgs: 0, scripts: 1, onerror: 0, pwned: null });
      // A result that is not a job (chat, a tool error) shows its text, as text.
      await host.result({ content: [{ type: "text", text: HOSTILE }] });
      await host.view.locator(".card.text pre").waitFor();
      expect(await host.view.locator(".card.text pre").textContent()).toBe(HOSTILE);
      expect(await dom()).toEqual({ imgs: 0, scripts: 1, onerror: 0, pwned: null });
      expect(host.errors).toEqual([]);
      await host.close();
    });

    it("a running card: elapsed time from the job's start, Cancel only when cancellable, failed status calls shown and retried, stopped at teardown", async () => {
      const host = await rig.open();
      const running = { job_id: "no-such-job", status: "running", vendor: "sim", assets: [], detail: "generating" };
      const startedAt = new Date(Date.now() - 125_000).toISOString();
      await host.result({
        content: [],
        structuredContent: running,
        _meta: { "aigc-mcp/job": { created_at: startedAt, cancellable: false } },
      });
      await host.view.locator(".state").waitFor();
      expect(await host.view.locator(".elapsed").textContent()).toMatch(/^2 min 0\d s$/);
      expect(await host.view.locator("button.cancel").count()).toBe(0);
      // wait_for_job of an unknown job answers an error result: shown as the card's error, not retried.
      await expect.poll(() => host.view.locator(".error-message").textContent(), { timeout: 20_000 }).toMatch(/^Error:.*no-such-job/s);
      await new Promise((r) => setTimeout(r, 2500));
      expect((await host.calls()).filter((c) => c.name === "wait_for_job")).toHaveLength(1);
      expect(await host.view.locator(".note").count()).toBe(0);
      // A thrown (transport) error of the status call: shown as text, retried with backoff.
      await host.fail(100);
      await host.result({
        content: [],
        structuredContent: running,
        _meta: { "aigc-mcp/job": { created_at: startedAt, cancellable: false } },
      });
      await host.view.locator(".note").waitFor({ timeout: 20_000 });
      expect(await host.view.locator(".note").textContent()).toMatch(/^Could not get the status \(.+\); retrying in 1 s\.$/);
      const polls = async () => (await host.calls()).filter((c) => c.name === "wait_for_job").length;
      await expect.poll(polls, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      await host.page.locator("iframe").screenshot(shot("retrying"));
      await host.teardown();
      const atTeardown = await polls();
      await new Promise((r) => setTimeout(r, 5000)); // longer than the next backoff (4 s)
      expect(await polls()).toBe(atTeardown);
      // The host's tool-cancelled notification.
      await host.cancelled("stopped by the user");
      await expect.poll(() => host.view.locator(".card.text pre").textContent()).toBe("The call was cancelled: stopped by the user");
      await host.close();
    });

    it("a failed status call's note goes once a fresh answer arrives, and is not shown on the failed card", async () => {
      const r = await call("seedance_generate_video", { prompt: "a cat [fail]", wait_seconds: 0 });
      expect(TERMINAL).not.toContain(jobOf(r).status);
      const host = await rig.open();
      await host.fail(1);
      await host.result(r);
      await host.view.locator(".note").waitFor({ timeout: 20_000 });
      expect(await host.view.locator(".note").textContent()).toMatch(
        /^Could not get the status \(.*host unavailable.*\); retrying in 1 s\.$/,
      );
      await host.view.locator('.card[data-status="failed"]').waitFor({ timeout: 60_000 });
      expect(await host.view.locator(".note").count()).toBe(0);
      await host.close();
    }, 120_000);

    it("a file removed or changed since it was saved is described in get_job's words, not read, with the vendor URL to get it again", async () => {
      const made = jobOf(await call("seedream_generate_image", { prompt: "three kites", max_images: 3 }));
      const [gone, edited, kept] = made.assets;
      rmSync(gone!.path!);
      appendFileSync(edited!.path!, "edited");
      const r = await call("get_job", { job_id: made.job_id });
      expect(jobOf(r).assets.map((a) => a.file)).toEqual(["missing", "changed", undefined]);
      // get_job's lines for the two, as the view should say them (its vendor URL is a link, not "above").
      const said = (r.content[0] as { text: string }).text
        .split("\n")
        .filter((l) => / after it was saved/.test(l))
        .map((l) => `${l.trim()[0]!.toUpperCase()}${l.trim().slice(1).replace("the vendor URL above", "the vendor URL")}.`);
      expect(said).toHaveLength(2);
      const host = await rig.open();
      const before = rig.reads.length;
      await host.result(r);
      await until(host.frame(), `document.querySelector(".gallery img")?.naturalWidth > 0`);
      expect(await host.view.locator(".not-as-saved p:first-child").allTextContents()).toEqual(said);
      expect(said[1]).toContain(`no longer the ${edited!.bytes} bytes generated`);
      expect(await host.view.locator(".not-as-saved .path").allTextContents()).toEqual([gone!.path, edited!.path]);
      expect(await host.view.locator(".gallery img").count()).toBe(1);
      expect(rig.reads.slice(before)).toEqual([kept!.uri]);
      await host.page.locator("iframe").screenshot(shot("not-as-saved"));
      // The vendor URL the words point to is opened by the host, as the Download link is.
      await host.view.locator(".not-as-saved a").first().click();
      await expect.poll(() => host.links()).toEqual([gone!.url]);
      expect(host.requests.filter((u) => !u.startsWith(rig.url) && !u.startsWith("data:"))).toEqual([]);
      expect(host.errors).toEqual([]);
      await host.close();
    });

    it("a file changed since it was saved that the bucket holds: the view shows the bucket's copy as generated, and says what became of the local one", async () => {
      const s3 = await startS3();
      const withBucket = await stdioClient({ ...s3.env, AIGC_MCP_OUTPUT_DIR: tempDir("aigc-viewer-") }, ["--sandbox"]);
      const rig2 = await startViewerRig(withBucket.client, CHROMIUM!);
      try {
        const made = jobOf(
          (await withBucket.client.callTool({
            name: "seedream_generate_image",
            arguments: { prompt: "a kite, edited here" },
          })) as CallToolResult,
        );
        const asset = made.assets[0]!;
        expect(asset.storage).toBe("s3");
        appendFileSync(asset.path!, "edited");
        const r = (await withBucket.client.callTool({ name: "get_job", arguments: { job_id: made.job_id } })) as CallToolResult;
        expect(jobOf(r).assets[0]).toMatchObject({ file: "changed", storage: "s3" });
        const host = await rig2.open();
        await host.result(r);
        await until(host.frame(), `document.querySelector(".gallery img")?.naturalWidth > 0`);
        const size = await host
          .frame()
          .evaluate<{ w: number; h: number }>(`(i => ({ w: i.naturalWidth, h: i.naturalHeight }))(document.querySelector(".gallery img"))`);
        expect(size).toEqual({ w: asset.width, h: asset.height }); // the generated image, not the edited file (which no longer decodes as it)
        expect(await host.view.locator(".bucket-copy").textContent()).toBe(
          `Changed after it was saved: the file there is no longer the ${asset.bytes} bytes generated; shown here is the bucket's copy, as generated.`,
        );
        expect(await host.view.locator(".not-as-saved").count()).toBe(0);
        expect(await host.view.locator("a.download").count()).toBe(1); // the bucket's presigned link
        expect((await host.calls()).filter((c) => c.name === "get_job")).toHaveLength(0); // the read did not fail
        expect(host.errors).toEqual([]);
        await host.page.locator("iframe").screenshot(shot("bucket-copy"));
        await host.close();
        // Another such file while the store is down: the view says it could not read the bucket's copy, and does not claim to show it.
        const other = jobOf(
          (await withBucket.client.callTool({
            name: "seedream_generate_image",
            arguments: { prompt: "a kite, store down" },
          })) as CallToolResult,
        );
        appendFileSync(other.assets[0]!.path!, "edited");
        const linked = (await withBucket.client.callTool({
          name: "get_job",
          arguments: { job_id: other.job_id, delivery: "link" },
        })) as CallToolResult;
        await s3.close();
        const down = await rig2.open();
        await down.result(linked);
        await down.view.locator(".media-error").waitFor({ timeout: 30_000 });
        expect(await down.view.locator(".media-error").textContent()).toMatch(
          new RegExp(
            `^Could not read the bucket's copy \\(${other.assets[0]!.uri}\\): [\\s\\S]+[^.]\\. The file in the output folder was changed after it was saved\\.$`,
          ),
        );
        expect(await down.view.locator(".bucket-copy").isVisible()).toBe(false);
        await down.page.locator("iframe").screenshot(shot("bucket-copy-unreadable"));
        await down.close();
      } finally {
        await rig2.close();
        await withBucket.client.close();
        await s3.close().catch(() => undefined); // closed above
      }
    });

    it("an older result whose file was removed since: the failed read makes the view ask get_job once, then it says so", async () => {
      const r = await call("seedream_generate_image", { prompt: "a kite, later deleted" });
      const asset = jobOf(r).assets[0]!;
      rmSync(asset.path!);
      const host = await rig.open();
      await host.result(r); // as a host shows an earlier chat again: the result still says the file is there
      await expect
        .poll(() => host.view.locator(".not-as-saved p:first-child").allTextContents(), { timeout: 10_000 })
        .toEqual([
          expect.stringMatching(/^Removed from the output folder after it was saved; download it again from the vendor URL until /),
        ]);
      const asked = (await host.calls()).filter((c) => c.name === "get_job");
      expect(asked).toEqual([{ name: "get_job", arguments: { job_id: jobOf(r).job_id, delivery: "link" } }]);
      expect(await host.view.locator(".media-error").count()).toBe(0);
      expect(host.errors).toEqual([]);
      await host.close();
    });

    it("an older result whose file was changed since: its read fails (not the bytes generated), so the view asks get_job and says so", async () => {
      const r = await call("seedream_generate_image", { prompt: "a kite, later edited" });
      const asset = jobOf(r).assets[0]!;
      appendFileSync(asset.path!, "edited");
      const host = await rig.open();
      await host.result(r);
      await expect
        .poll(() => host.view.locator(".not-as-saved p:first-child").allTextContents(), { timeout: 10_000 })
        .toEqual([expect.stringMatching(`^Changed after it was saved: the file there is no longer the ${asset.bytes} bytes generated;`)]);
      expect((await host.calls()).filter((c) => c.name === "get_job")).toHaveLength(1);
      expect(await host.view.locator(".gallery img").count()).toBe(0);
      await host.close();
    });

    it("a file that cannot be read and a job get_job does not know: the card says why, in the server's words", async () => {
      const job = jobOf(await call("seedream_generate_image", { prompt: "a kite from elsewhere" }));
      const elsewhere = {
        ...job,
        job_id: "k.ark.image.tpfk1x.NoSuchJobInThisFolder",
        assets: [{ ...job.assets[0]!, uri: "media://files/no-such.jpg" }],
      };
      const host = await rig.open();
      await host.result({ content: [], structuredContent: elsewhere });
      await expect
        .poll(() => host.view.locator(".card > .note").textContent(), { timeout: 10_000 })
        .toMatch(/^Could not check the files again: Error: /);
      const failed = await host.view.locator(".media-error").textContent();
      expect(failed).toMatch(new RegExp(`^Could not read ${job.assets[0]!.path}: `));
      expect(failed).not.toContain("MCP error");
      expect((await host.calls()).filter((c) => c.name === "get_job")).toHaveLength(1);
      await host.close();
    });

    it("a link whose time has passed while the view was open is not opened", async () => {
      const r = await call("seedream_generate_image", { prompt: "a kite, soon expired" });
      const job = jobOf(r);
      rmSync(job.assets[0]!.path!);
      const soon = new Date(Date.now() + 1500).toISOString();
      const host = await rig.open();
      await host.result({ content: [], structuredContent: { ...job, assets: [{ ...job.assets[0]!, file: "missing", expires_at: soon }] } });
      await host.view.locator(".not-as-saved a").waitFor();
      await new Promise((res) => setTimeout(res, 2000));
      await host.view.locator(".not-as-saved a").click();
      await expect.poll(() => host.view.locator(".not-as-saved .expired").textContent()).toBe(`Vendor URL: expired at ${soon}`);
      expect(await host.links()).toEqual([]);
      await host.close();
    });

    it("a single video left readable beside a removed one is read at once, as the only video is", async () => {
      const [a, b] = await Promise.all(
        ["kept clip", "removed clip"].map((prompt) => call("seedance_generate_video", { prompt, wait_seconds: 60 })),
      );
      const host = await rig.open();
      const before = rig.reads.length;
      const removed = { ...jobOf(b!).assets[0]!, file: "missing" as const };
      await host.result({ content: [], structuredContent: { ...jobOf(a!), assets: [removed, jobOf(a!).assets[0]!] } });
      await until(host.frame(), `document.querySelector("video")?.getAttribute("src")?.startsWith("data:video/") === true`, 30_000);
      expect(await host.view.locator("button.play").count()).toBe(0);
      expect(rig.reads.slice(before)).toEqual([jobOf(a!).assets[0]!.uri]);
      await host.close();
    });

    it("a refresh after a stale image's failed read redraws the card without reading its only video again", async () => {
      const r = await call("seedance_generate_video", { prompt: "a clip and its last frame", return_last_frame: true, wait_seconds: 60 });
      const { assets, job_id } = jobOf(r);
      const video = assets.find((a) => a.mime_type.startsWith("video/"))!;
      const frame = assets.find((a) => a.mime_type.startsWith("image/"))!;
      rmSync(frame.path!);
      const host = await rig.open();
      const before = rig.reads.length;
      await host.result(r); // an older result: it still says the last frame is there
      await host.view.locator(".not-as-saved").waitFor({ timeout: 10_000 });
      await until(host.frame(), `document.querySelector("video")?.getAttribute("src")?.startsWith("data:video/") === true`, 30_000);
      expect((await host.calls()).filter((c) => c.name === "get_job")).toEqual([
        { name: "get_job", arguments: { job_id, delivery: "link" } },
      ]);
      expect(rig.reads.slice(before).filter((u) => u === video.uri)).toHaveLength(1);
      await host.close();
    });

    it("a video playing when the card is redrawn keeps playing where it was", async () => {
      const r = await call("seedance_generate_video", { prompt: "a clip that keeps playing", return_last_frame: true, wait_seconds: 60 });
      const frame = jobOf(r).assets.find((a) => a.mime_type.startsWith("image/"))!;
      rmSync(frame.path!);
      rig.slowReads.set(frame.uri, 4000); // its failed read, and so the redraw, comes while the video plays
      const host = await rig.open();
      await host.result(r);
      await until(host.frame(), `document.querySelector("video")?.getAttribute("src")?.startsWith("data:video/") === true`, 30_000);
      await host.frame().evaluate(`(v => { v.muted = true; return v.play(); })(document.querySelector("video"))`);
      await until(host.frame(), `document.querySelector("video").currentTime > 0.3`);
      await host.frame().evaluate(`document.querySelector("video").dataset.mark = "before"`);
      await host.view.locator(".not-as-saved").waitFor({ timeout: 15_000 }); // redrawn after get_job
      const after = await host
        .frame()
        .evaluate<{ mark?: string; paused: boolean; t: number }>(
          `(v => ({ mark: v.dataset.mark, paused: v.paused, t: v.currentTime }))(document.querySelector("video"))`,
        );
      expect(after).toMatchObject({ mark: "before", paused: false });
      expect(after.t).toBeGreaterThan(0.3);
      rig.slowReads.clear();
      await host.close();
    });

    it("a bucket download URL that is not http(s) is neither a link nor named in the words", async () => {
      const job = jobOf(await call("seedream_generate_image", { prompt: "a kite with an odd bucket URL" }));
      const odd = {
        ...job.assets[0]!,
        file: "changed" as const,
        storage: "s3" as const,
        download_url: "javascript:alert(1)",
        url: undefined,
      };
      const host = await rig.open();
      await host.result({ content: [], structuredContent: { ...job, assets: [odd] } });
      await host.view.locator(".bucket-copy").waitFor();
      expect(await host.view.locator(".bucket-copy").textContent()).toBe(
        `Changed after it was saved: the file there is no longer the ${odd.bytes} bytes generated; shown here is the bucket's copy, as generated.`,
      );
      expect(await host.view.locator("a").count()).toBe(0);
      await host.close();
    });

    it("an output that did not reach the bucket says so under it, with the store's error on hover", async () => {
      const job = jobOf(await call("seedream_generate_image", { prompt: "a kite that stayed here" }));
      const storage_error = "object storage: uploading x.png in bucket b failed: connect ECONNREFUSED 127.0.0.1:9";
      const host = await rig.open();
      await host.result({ content: [], structuredContent: { ...job, assets: [{ ...job.assets[0]!, storage_error }] } });
      const line = host.view.locator(".storage-error");
      await line.waitFor();
      expect(await line.textContent()).toBe("Not copied to the bucket: only in the output folder of the server that saved it.");
      expect(await line.getAttribute("title")).toBe(storage_error);
      expect(await host.view.locator("img").count()).toBe(1); // the file itself is still shown
      await host.close();
    });

    it("a vendor URL that is not http(s) is neither a link nor named in the words", async () => {
      const job = jobOf(await call("seedream_generate_image", { prompt: "a kite with an odd URL" }));
      const odd = { ...job.assets[0]!, file: "missing" as const, url: "javascript:alert(1)", download_url: undefined };
      const host = await rig.open();
      await host.result({ content: [], structuredContent: { ...job, assets: [odd] } });
      await host.view.locator(".not-as-saved").waitFor();
      expect(await host.view.locator(".not-as-saved p:first-child").textContent()).toBe(
        "Removed from the output folder after it was saved.",
      );
      expect(await host.view.locator(".not-as-saved a, a.download").count()).toBe(0);
      await host.close();
    });

    it("at 240 px wide nothing scrolls sideways: the gallery, a file's path and the job id fit", async () => {
      const job = jobOf(await call("seedream_generate_image", { prompt: "two narrow kites", max_images: 2 }));
      const gone = { ...job.assets[1]!, file: "missing" as const };
      const host = await rig.open();
      await host.page.evaluate(`document.querySelector("iframe").style.width = "240px"`);
      await host.result({ content: [], structuredContent: { ...job, assets: [job.assets[0]!, gone] } });
      await until(host.frame(), `document.querySelector(".gallery img")?.naturalWidth > 0`);
      await host.view.locator(".not-as-saved").waitFor();
      const fit = await host.frame().evaluate<{ scroll: number; client: number; tiles: number[] }>(
        `({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
              tiles: [...document.querySelectorAll(".gallery > figure")].map((f) => Math.round(f.getBoundingClientRect().right)) })`,
      );
      expect(fit.client).toBe(240);
      expect(fit.scroll).toBeLessThanOrEqual(fit.client);
      expect(fit.tiles.every((right) => right <= fit.client)).toBe(true);
      await host.page.locator("iframe").screenshot(shot("narrow"));
      await host.close();
    });

    it("holds one video at a time: starting another drops the first one's bytes; an image over the cap is not read", async () => {
      const [a, b] = await Promise.all(
        ["first clip", "second clip"].map((prompt) => call("seedance_generate_video", { prompt, wait_seconds: 60 })),
      );
      const va = jobOf(a!).assets[0]!;
      const vb = { ...jobOf(b!).assets[0]!, download_url: "https://downloads.example/clip.mp4?sig=1" };
      const huge = { ...va, uri: "media://no-such/huge.png", mime_type: "image/png", bytes: 25_000_000, path: "/tmp/huge.png" };
      const host = await rig.open();
      const before = rig.reads.length;
      await host.result({ content: [], structuredContent: { ...jobOf(a!), assets: [va, vb, huge] } });
      await host.view.locator("button.play").nth(1).waitFor();
      const srcs = () =>
        host
          .frame()
          .evaluate<Array<string | null>>(
            `[...document.querySelectorAll("video")].map((v) => v.getAttribute("src")?.slice(0, 11) ?? null)`,
          );
      expect(await srcs()).toEqual([null, null]); // two videos: nothing read until play is pressed
      expect(await host.view.locator(".too-big").textContent()).toContain("/tmp/huge.png");
      await host.view.locator("button.play").first().click();
      await expect.poll(srcs).toEqual(["data:video/", null]);
      await host.view.locator("button.play").first().click(); // the second one's button (the first's is gone)
      await expect.poll(srcs).toEqual([null, "data:video/"]);
      await host.page.locator("iframe").screenshot(shot("two-videos"));
      expect(rig.reads.slice(before)).toEqual([va.uri, vb.uri]);
      // The download link is opened by the host (ui/open-link), not by navigating the view.
      await host.view.locator("a.download").click();
      await expect.poll(() => host.links()).toEqual([vb.download_url]);
      expect(host.requests.filter((u) => u.includes("downloads.example"))).toEqual([]);
      await host.close();
    });
  },
);
