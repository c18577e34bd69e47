/**
 * Every URL the server downloads goes through one fetch policy: a caller's URL on loopback (open
 * port, closed port, an HTTP error, a name resolving there, a redirect there from an allowed host)
 * gets one identical "could not download" answer; an allow-listed host is fetched; a vendor output
 * URL on a non-public address that no configured endpoint or allow-list entry covers is refused.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaStore } from "../../../src/media/store.js";
import { fetchPolicy } from "../../../src/net/fetch-policy.js";
import { speak } from "../../../src/vendors/gateway/simulator-audio.js";
import { startHarness, tempDir, text, type Harness } from "../../helpers/harness.js";

const wav = speak("Fetched from an allowed host.", "wav", 1);

function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve) => {
    const server = createServer(handler).listen(0, "127.0.0.1", () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  });
}

describe("URL fetch policy", () => {
  let h: Harness;
  let audio: { server: Server; origin: string };
  let redirector: { server: Server; origin: string };
  let closedPort: number;
  let hits = 0;
  beforeAll(async () => {
    audio = await serve((req, res) => {
      hits++;
      if (req.url === "/missing.wav") return res.writeHead(404).end("nope");
      res.writeHead(200, { "content-type": "audio/wav" }).end(wav);
    });
    redirector = await serve((req, res) => res.writeHead(302, { location: `${audio.origin}/a.wav` }).end());
    const tmp = await serve(() => undefined);
    closedPort = (tmp.server.address() as AddressInfo).port;
    await new Promise((r) => tmp.server.close(r));
    h = await startHarness({ env: { AIGC_MCP_FETCH_ALLOW_HOSTS: new URL(redirector.origin).host } });
  });
  afterAll(async () => {
    await h.close();
    audio.server.close();
    redirector.server.close();
  });

  const transcribe = async (url: string) => {
    const r = await h.call("gateway_transcribe", { audio: url });
    return { isError: r.isError, text: text(r) };
  };

  it("refuses loopback URLs from the URL's text alone, identically for open, closed and HTTP-error ports, without connecting", async () => {
    const port = new URL(audio.origin).port;
    const cases = [
      `${audio.origin}/a.wav`,
      `${audio.origin}/missing.wav`,
      `http://127.0.0.1:${closedPort}/a.wav`,
      `http://localhost:${port}/a.wav`,
      `http://[::1]:${port}/a.wav`,
    ];
    const answers: string[] = [];
    for (const url of cases) {
      const r = await transcribe(url);
      expect(r.isError, url).toBe(true);
      answers.push(r.text.replace(/http:\/\/\S+ is on \S+,/, "<url> is on <host>,").replace(/adding \S+ to/, "adding <host> to"));
    }
    expect(answers[0]).toMatch(/^Error: UnreachableUrl: audio: <url> is on <host>, a loopback, private, link-local or single-label host/);
    expect(answers[0]).toMatch(/AIGC_MCP_FETCH_ALLOW_HOSTS/);
    expect(answers[0]).toMatch(/FILES_URL/);
    // The odd ones out, not a count: a failure then shows the answer that differed.
    expect(answers.filter((a) => a !== answers[0])).toEqual([]);
    // A cloud metadata address is refused the same way, and never suggested for the allow-list.
    const metadata = await transcribe("http://169.254.169.254/latest/meta-data/");
    expect(metadata.text).toMatch(/^Error: UnreachableUrl: audio: \S+ is on 169\.254\.169\.254, a loopback, private, link-local/);
    expect(metadata.text).not.toMatch(/adding \S+ to AIGC_MCP_FETCH_ALLOW_HOSTS/);
    expect(answers.join("\n").replace(/http:\/\/\S+/g, "")).not.toMatch(/404|refused|ECONN|closed|timed out|HTTP \d/i);
    expect(hits).toBe(0);
  });

  it("answers an allow-listed host that redirects to a loopback one like any failed download, without connecting there", async () => {
    const r = await transcribe(`${redirector.origin}/go`);
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/^Error: DownloadFailed: audio: could not download \S+\n/);
    expect(r.text).toContain("AIGC_MCP_FETCH_ALLOW_HOSTS");
    expect(r.text).toMatch(/Why it failed is in the server's log/);
    // the URL left out: its random port may contain "404"
    expect(r.text.replace(/http:\/\/\S+/g, "")).not.toMatch(/404|refused|ECONN|closed|timed out|HTTP \d/i);
    expect((await transcribe("file:///etc/passwd")).isError).toBe(true);
    expect(hits).toBe(0);
  });

  it("fetches an allow-listed host", async () => {
    const policy = startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { AIGC_MCP_FETCH_ALLOW_HOSTS: `${new URL(audio.origin).host},example.invalid` },
    });
    const h2 = await policy;
    try {
      const r = await h2.call("gateway_transcribe", { audio: `${audio.origin}/a.wav` });
      expect(text(r)).toContain("Fetched from an allowed host.");
      expect(hits).toBe(1);
    } finally {
      await h2.close();
    }
  });

  it("refuses a caller URL whose Content-Length is over the cap at its headers, without waiting for the body", async () => {
    const huge = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "audio/wav", "content-length": String(4 * 1024 ** 3) });
      res.write(wav.subarray(0, 64)); // and never more
    });
    const h2 = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { AIGC_MCP_FETCH_ALLOW_HOSTS: new URL(huge.origin).host },
    });
    try {
      const started = Date.now();
      const r = await h2.call("gateway_transcribe", { audio: `${huge.origin}/big.wav` });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/^Error: DownloadFailed: audio: could not download \S+\/big\.wav\n/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await h2.close();
      huge.server.closeAllConnections();
      huge.server.close();
    }
    // A vendor output URL gets the same check, with the output's own error.
    const out = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": String(4 * 1024 ** 3) });
      res.write(Buffer.alloc(64));
    });
    try {
      const store = new MediaStore(tempDir("aigc-policy-"), 1024 * 1024, 60_000, fetchPolicy([new URL(out.origin).host]));
      const started = Date.now();
      await expect(store.saveFromUrl(`${out.origin}/v.mp4`, { stem: "x", expect: "video", vendor: "test" })).rejects.toMatchObject({
        info: { code: "MediaTooLarge" },
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      out.server.closeAllConnections();
      out.server.close();
    }
  }, 20_000);

  it("refuses a vendor output URL on a non-public address that nothing allows", async () => {
    const store = new MediaStore(tempDir("aigc-policy-"), 1024 * 1024);
    await expect(store.saveFromUrl(`${audio.origin}/a.wav`, { stem: "x", expect: "audio", vendor: "test" })).rejects.toThrow(
      /could not download the output/,
    );
    expect(hits).toBe(1);
  });
});
