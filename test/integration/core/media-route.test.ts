/**
 * The signed /media/ route's answers when the file cannot be served: a name that is no generated
 * file (or no longer as generated) is 404 and says what can have become of it; a job store or
 * bucket that did not answer is 503 (not the file's fault), with the details only in the log.
 */
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { AigcError } from "../../../src/errors.js";
import { setLogSink } from "../../../src/log.js";
import { SignedMediaUrls } from "../../../src/media/signed-url.js";
import { mediaElsewhere, mediaNotFound } from "../../../src/media/media-uri.js";
import type { MediaStore } from "../../../src/media/store.js";
import { serveMedia } from "../../../src/transports/media-route.js";

const SECRET = "r".repeat(32);
let server: Server | undefined;

async function serve(resolve: MediaStore["resolve"], quietForMs?: number): Promise<{ signer: SignedMediaUrls; base: string }> {
  const bucket = quietForMs === undefined ? undefined : { quietForMs: () => quietForMs };
  server = createServer((req, res) => {
    const url = new URL(req.url!, "http://127.0.0.1");
    void serveMedia(req, res, url, signer.nameFromPath(url.pathname)!, signer, { resolve, bucket } as unknown as MediaStore);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const signer = new SignedMediaUrls(base, SECRET, 600);
  return { signer, base };
}

afterEach(async () => {
  setLogSink((line) => process.stderr.write(line + "\n"));
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe("the /media/ route when a file cannot be served", () => {
  it("a name that is no generated file, or no longer as generated: 404 saying what can have become of it", async () => {
    const { signer } = await serve((name) => Promise.reject(mediaNotFound(name)));
    const res = await fetch((await signer.link("out.png")).url);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(
      /^Not found: this server has no output by this name as it was saved \(removed from the output folder, or changed since it was saved\); if it is a job's output, that job's get_job result \(list_jobs finds it\) says where/,
    );
  });

  it("an output kept only in a bucket this server does not use: 404 saying so", async () => {
    const { signer } = await serve((name) => Promise.reject(mediaElsewhere(name)));
    const res = await fetch((await signer.link("out.png")).url);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(
      "Not found here: it is kept only in a bucket this server is not set up to use (AIGC_MCP_S3_*); a server that uses it serves the file.\n",
    );
  });

  it("a job store or bucket that did not answer: 503 with Retry-After, and its details only in the log", async () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    const down = new AigcError({ category: "local", code: "RedisUnavailable", message: "Redis at 10.0.0.9:6379 did not answer" });
    const { signer } = await serve(() => Promise.reject(down));
    const res = await fetch((await signer.link("out.png")).url);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("10");
    const body = await res.text();
    expect(body).toMatch(/^Service unavailable: the output could not be looked up or read just now; try again shortly\./);
    expect(body).not.toContain("10.0.0.9");
    expect(lines.join("\n")).toContain("RedisUnavailable");
  });

  it("while the bucket is quiet after a request it left unanswered, Retry-After is the time left of it (reads before it fail at once)", async () => {
    setLogSink(() => undefined);
    const hung = new AigcError({ category: "timeout", code: "StorageUnavailable", message: "the store left a request unanswered" });
    const { signer } = await serve(() => Promise.reject(hung), 27_200);
    const res = await fetch((await signer.link("out.png")).url);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("28");
  });
});
