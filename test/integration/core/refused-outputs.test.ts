/**
 * A vendor output URL the fetch policy refuses (a host on a non-public address that no configured
 * endpoint or AIGC_MCP_FETCH_ALLOW_HOSTS entry covers) does not end a billed job: it stays
 * unfinished, saying which host to allow, and is downloaded once a server may fetch there, without
 * a second vendor request. Here the simulated Ark publishes its outputs on another port (a
 * forwarder), which the sandbox's own endpoint entry does not cover.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { fetchPolicy } from "../../../src/net/fetch-policy.js";
import type { MediaStore } from "../../../src/media/store.js";
import { startHarness, structured, text, type Harness } from "../../helpers/harness.js";
import { jobOf, requestsTo } from "../../helpers/results.js";

let open: Harness[] = [];
let servers: Server[] = [];
afterEach(async () => {
  for (const h of open.reverse()) await h.close().catch(() => undefined);
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  open = [];
  servers = [];
});

/** Serves the simulator's media on another port: its URLs are then on 127.0.0.1:<that port>. */
async function mediaOnAnotherPort(h: Harness): Promise<string> {
  const sim = h.ark.sim;
  const server = createServer((req, res) => {
    void fetch(`${sim.url}${req.url}`).then(async (r) => {
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/octet-stream" });
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publish = sim.publish.bind(sim);
  sim.publish = (...args) => publish(...args).replace(sim.url, `http://${host}`);
  return host;
}

const creates = (h: Harness, path: string) => requestsTo(h.ark, (r) => r.method === "POST" && r.path.endsWith(path)).length;

function expectWaitingForPolicy(seen: Awaited<ReturnType<Harness["call"]>>, host: string) {
  const job = jobOf(seen);
  expect(job.status).toBe("running");
  expect(job.detail).toMatch(
    /^finished at the vendor, but this server's URL fetch policy refused to download its output: 127\.0\.0\.1 is not a public address/,
  );
  expect(job.detail).toContain("add it to AIGC_MCP_FETCH_ALLOW_HOSTS");
  expect(job.detail).toContain(`Vendor URL(s), valid for a limited time: http://${host}/media/`);
  expect(text(seen)).not.toMatch(/^Error:/);
  return job;
}

describe("an output download the fetch policy refuses", () => {
  it(
    "leaves a vendor task's job unfinished, answering at once, and a server allowed to fetch there saves it",
    { timeout: 45_000 },
    async () => {
      const a = await startHarness({ ark: { queuedMs: 100, runningMs: 200 } });
      open.push(a);
      const host = await mediaOnAnotherPort(a);
      const t0 = Date.now();
      const first = await a.call("seedance_generate_video", { prompt: "refused output", wait_seconds: 20 });
      expect(Date.now() - t0).toBeLessThan(10_000);
      const { job_id } = expectWaitingForPolicy(first, host);
      // Asked again before the policy changes: the same, at once, and the vendor is only polled.
      const t1 = Date.now();
      const again = await a.call("wait_for_job", { job_id, wait_seconds: 20 });
      expect(Date.now() - t1).toBeLessThan(5_000);
      expectWaitingForPolicy(again, host);
      expect(structured<{ message: string }>(again).message).toMatch(/^running: stopped short of an end on this server/);
      expect((await a.app.jobs.store.load(job_id))?.status).toBe("running");
      // The operator allows the host (a restart takes the variable): the next wait downloads the output.
      const b = await startHarness({ existing: { sandbox: a.sandbox, dir: a.dir }, env: { AIGC_MCP_FETCH_ALLOW_HOSTS: host } });
      open.push(b);
      const done = jobOf(await b.call("wait_for_job", { job_id, wait_seconds: 20 }));
      expect(done.status).toBe("succeeded");
      expect(existsSync(done.assets[0]!.path!)).toBe(true);
      expect(creates(a, "/contents/generations/tasks")).toBe(1);
    },
  );

  it("keeps a synchronous call's answer, and saves it at the next wait once the host is allowed, without calling the vendor again", async () => {
    const a = await startHarness();
    open.push(a);
    const host = await mediaOnAnotherPort(a);
    const first = await a.call("seedream_generate_image", { prompt: "refused image", wait_seconds: 20 });
    const { job_id } = expectWaitingForPolicy(first, host);
    expect(jobOf(first).detail).toMatch(/held only by this server process/);
    // This process's policy now allows the host (as a DNS fix or an in-process change would).
    const media = a.app.media as unknown as { fetchPolicy: ReturnType<typeof fetchPolicy> } & MediaStore;
    Object.assign(media, { fetchPolicy: fetchPolicy([host]) });
    const done = jobOf(await a.call("wait_for_job", { job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(existsSync(done.assets[0]!.path!)).toBe(true);
    expect(creates(a, "/images/generations")).toBe(1);
  });
});
