/** Issue 11 items 9 and 10 over HTTP: an empty batch, slow clients (slowloris), the connection cap, and long SSE calls that must survive them. */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCoreConfig } from "../../../src/config.js";
import { createContext, type AppContext } from "../../../src/context.js";
import { loadVendors } from "../../../src/plugins.js";
import { serveHttp, type HttpHandle } from "../../../src/transports/http.js";
import { ArkSimulator } from "../../../src/vendors/ark/simulator.js";
import { FAST_ENGINE, logLines, tempDir } from "../../helpers/harness.js";

interface Running {
  app: AppContext;
  http: HttpHandle;
  ark: ArkSimulator;
  port: number;
}

async function start(extra: Record<string, string>, imageDelayMs = 10): Promise<Running> {
  const ark = await new ArkSimulator({ queuedMs: 150, runningMs: 4_000, imageDelayMs, maxRenderEdge: 256 }).start();
  const env = {
    AIGC_MCP_OUTPUT_DIR: tempDir(),
    AIGC_MCP_TRANSPORT: "http",
    AIGC_MCP_PORT: "0",
    ARK_API_KEY: ark.apiKey,
    ARK_BASE_URL: ark.baseUrl,
    ...extra,
  };
  const core = parseCoreConfig(env);
  const app = await createContext(core, await loadVendors(env, core), FAST_ENGINE);
  const http = await serveHttp(app);
  return { app, http, ark, port: Number(new URL(http.url).port) };
}

async function stop(s: Running): Promise<void> {
  await s.app.close();
  await s.http.close();
  await s.ark.close();
}

/** A socket that connects and then does `drip` every `everyMs`; resolves with how long it stayed open. */
function slowSocket(port: number, first: string, drip: string, everyMs: number): { closed: Promise<number>; socket: Socket } {
  const t0 = Date.now();
  const socket = connect(port, "127.0.0.1");
  let timer: NodeJS.Timeout | undefined;
  socket.on("connect", () => {
    if (first) socket.write(first);
    if (drip) timer = setInterval(() => socket.write(drip), everyMs);
  });
  socket.on("error", () => undefined);
  socket.resume();
  const closed = new Promise<number>((resolve) =>
    socket.on("close", () => {
      clearInterval(timer);
      resolve(Date.now() - t0);
    }),
  );
  return { closed, socket };
}

const init = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });

describe("HTTP limits", () => {
  let s: Running;
  beforeAll(async () => {
    s = await start({
      AIGC_MCP_HEADERS_TIMEOUT_S: "1",
      AIGC_MCP_BODY_TIMEOUT_S: "1",
      AIGC_MCP_MAX_CONNECTIONS: "20",
      AIGC_MCP_SSE_KEEPALIVE_S: "1",
    });
  });
  afterAll(() => stop(s));

  it("answers an empty JSON-RPC batch with 400", async () => {
    const r = await post(s.http.url, []);
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/empty batch/) } });
  });

  it("answers JSON that is no valid message with 400, -32600 naming the field and the request's own id, and a batch holding one with an error per request", async () => {
    const bad = { jsonrpc: "2.0", id: 7, method: 42 };
    const says = (id: unknown, message: string) => ({
      jsonrpc: "2.0",
      id,
      error: { code: -32600, message: `Invalid Request: ${message}` },
    });
    let r = await post(s.http.url, bad);
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual(says(7, "method: Invalid input: expected string, received number"));
    r = await post(s.http.url, { jsonrpc: "2.0", id: "p", method: "ping", params: "x" });
    expect(await r.json()).toEqual(says("p", "params: Invalid input: expected object, received string"));
    r = await post(s.http.url, [{ jsonrpc: "2.0", id: 8, method: "ping" }, bad, { jsonrpc: "1.0", id: 9, method: "ping" }]);
    expect(r.status).toBe(400);
    // nothing of the batch runs, and its valid request is told so under its own id rather than left waiting
    expect(await r.json()).toEqual([
      says(
        8,
        "not run: message 2 of this batch is invalid (method: Invalid input: expected string, received number); send the batch again without it",
      ),
      says(7, "method: Invalid input: expected string, received number"),
      says(9, 'jsonrpc: Invalid input: expected "2.0"'),
    ]);
  });

  it("refuses a message over the value, key or depth limit with 413 before it is parsed, without stalling other callers", async () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0]));
    const ping = (params: unknown) => ({ jsonrpc: "2.0", id: 7, method: "ping", params });
    const cases: Array<[unknown, RegExp]> = [
      [ping({ _meta: keys(350_000) }), /an object in the message \(params\._meta included\) has more than 1000 members/],
      [{ ...ping({}), method: "tools/call", params: { name: "list_jobs", arguments: keys(5_000) } }, /more than 1000 members/],
      [ping({ _meta: { x: Array.from({ length: 200 }, () => Array<number>(600).fill(0)) } }), /more than 101000 values/],
      [[ping({ _meta: keys(600) }), ping({ _meta: keys(600) }), ping({ _meta: { a: Array(100_000).fill(0) } })], /more than 101000 values/],
    ];
    for (const [body, says] of cases) {
      const r = await post(s.http.url, body);
      expect(r.status).toBe(413);
      const answer = (await r.json()) as { id: unknown; error: { code: number; message: string } };
      expect(answer.error).toMatchObject({ code: -32600, message: expect.stringMatching(says) });
      expect(answer.id).toBe(Array.isArray(body) ? null : 7);
    }
    // 2 000 000 nested brackets (4 MB): JSON.parse alone would hold the event loop for about a second
    const deep = `{"jsonrpc":"2.0","id":7,"method":"ping","params":{"_meta":{"x":${"[".repeat(2_000_000)}${"]".repeat(2_000_000)}}}}`;
    const health = `${new URL(s.http.url).origin}/healthz`;
    let worst = 0;
    let sending = true;
    const probe = (async () => {
      while (sending) {
        const t0 = performance.now();
        await fetch(health).then((r) => r.arrayBuffer());
        worst = Math.max(worst, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const r = await fetch(s.http.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: deep,
    });
    sending = false;
    await probe;
    expect(r.status).toBe(413);
    expect(await r.text()).toMatch(/nested more than 72 levels deep/);
    expect(worst).toBeLessThan(400);
    // a message within the limits (a few MB in one string is one value) still goes through
    expect((await post(s.http.url, ping({ _meta: { ...keys(999), big: "A".repeat(3_000_000) } }))).status).toBe(200);
  });

  it("a refusal sent while a Connection: close client is still uploading reaches it whole, not as a reset", async () => {
    // Node closes such a connection once its answer is sent: with the upload still coming, that was a reset (EPIPE).
    const upload = (path: string, bytes: number) =>
      new Promise<{ answer: string; error?: string }>((resolve) => {
        const socket = connect(s.port, "127.0.0.1");
        let answer = "";
        let error: string | undefined;
        socket.on("data", (d: Buffer) => (answer += d.toString()));
        socket.on("error", (e: NodeJS.ErrnoException) => (error = e.code));
        socket.on("close", () => resolve({ answer, ...(error ? { error } : {}) }));
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\nConnection: close\r\n\r\n`,
        );
        const chunk = Buffer.alloc(64 * 1024, 0x41);
        let sent = 0;
        const pump = (): void => {
          while (sent < bytes) {
            const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
            sent += part.length;
            if (!socket.write(part)) return void socket.once("drain", pump);
          }
        };
        pump();
      });
    for (let i = 0; i < 3; i++) {
      const big = await upload("/mcp", 12_000_000);
      expect(big.error).toBeUndefined();
      expect(big.answer).toMatch(
        /^HTTP\/1\.1 413 [^]*\r\n\r\nRequest body over 4194304 bytes \(AIGC_MCP_MAX_BODY_BYTES\)\. Pass large media/,
      );
      const elsewhere = await upload("/elsewhere", 6_000_000);
      expect(elsewhere.error).toBeUndefined();
      expect(elsewhere.answer).toMatch(/^HTTP\/1\.1 404 [^]*Not found: the MCP endpoint is \/mcp/);
    }
  });

  it("a refused request whose body trickles on neither holds a place under the cap nor delays a shutdown, and HEAD gets its answer", async () => {
    const t = await start({ AIGC_MCP_MAX_CONNECTIONS: "8", AIGC_MCP_BODY_TIMEOUT_S: "3", AIGC_MCP_SHUTDOWN_GRACE_S: "5" });
    // Answered 404 at once, then held by their bodies' rest: one byte every 500 ms of a declared gigabyte.
    const trickle = `POST /elsewhere HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nContent-Length: 1000000000\r\n\r\n`;
    const held = Array.from({ length: 8 }, () => slowSocket(t.port, trickle, "A", 500));
    await new Promise((r) => setTimeout(r, 500));
    // Every place is taken by such sockets: a client still gets in (they make way), and so does a health check.
    expect((await post(t.http.url, init)).status).toBe(200);
    expect((await fetch(`${new URL(t.http.url).origin}/healthz`)).status).toBe(200);
    expect(held.filter((h) => h.socket.destroyed).length).toBeGreaterThan(0);
    // HEAD with a body still to come: its headers, not silence.
    const head = slowSocket(t.port, `HEAD /elsewhere HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nContent-Length: 5\r\n\r\n`, "", 0);
    let headAnswer = "";
    head.socket.on("data", (d: Buffer) => (headAnswer += d.toString()));
    await new Promise((r) => setTimeout(r, 500));
    expect(headAnswer).toMatch(/^HTTP\/1\.1 404 /);
    head.socket.destroy();
    // A shutdown does not wait for them: they have their answers.
    const more = Array.from({ length: 3 }, () => slowSocket(t.port, trickle, "A", 500));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await t.http.drain(5000);
    expect(Date.now() - t0).toBeLessThan(2000);
    for (const h of [...held, ...more]) h.socket.destroy();
    await stop(t);
  }, 20_000);

  it("a refusal over the cap that lingers for its body makes way for another refusal, never for a request to be served", async () => {
    const t = await start({ AIGC_MCP_MAX_CONNECTIONS: "4", AIGC_MCP_BODY_TIMEOUT_S: "3" });
    const trickled = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`;
    const huge = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nContent-Length: 1000000000\r\n\r\n`;
    const answers = (x: ReturnType<typeof slowSocket>) => {
      let got = "";
      x.socket.on("data", (d: Buffer) => (got += d.toString()));
      return () => got;
    };
    const all: Array<ReturnType<typeof slowSocket>> = [];
    for (let i = 0; i < 4; i++) all.push(slowSocket(t.port, trickled, " ", 300)); // the cap, each serving a request
    await new Promise((r) => setTimeout(r, 200));
    const late: Array<() => string> = [];
    for (let i = 0; i < 4; i++) {
      const refused = slowSocket(t.port, huge, "A", 300); // 503 Busy, then lingers for its body
      all.push(refused);
      await new Promise((r) => setTimeout(r, 150));
      const next = slowSocket(t.port, trickled, " ", 300);
      all.push(next);
      late.push(answers(next));
      await new Promise((r) => setTimeout(r, 150));
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const got of late) expect(got()).toMatch(/^HTTP\/1\.1 503 [^]*Busy: AIGC_MCP_MAX_CONNECTIONS \(4\)/);
    for (const x of all) x.socket.destroy();
    await stop(t);
  }, 20_000);

  it("closes silent, slow-header and slow-body sockets", async () => {
    const head = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Type: application/json\r\n`;
    const sockets = [
      ...Array.from({ length: 5 }, () => slowSocket(s.port, "", "", 0)),
      ...Array.from({ length: 5 }, () => slowSocket(s.port, head, "X-Slow: 1\r\n", 200)),
      ...Array.from({ length: 5 }, () => slowSocket(s.port, `${head}Content-Length: 100000\r\n\r\n{`, "", 0)),
      ...Array.from({ length: 5 }, () => slowSocket(s.port, `${head}Content-Length: 100000\r\n\r\n{`, " ", 300)),
    ];
    const times = await Promise.all(sockets.map((x) => x.closed));
    // header timeout 1 s, body idle 1 s, whole body 6 s; checked every second
    for (const t of times) expect(t).toBeLessThan(9_000);
    expect(Math.max(...times.slice(0, 15))).toBeLessThan(4_000);
  }, 20_000);

  it("caps open connections: one over the cap closes the oldest with no request under way, so silent sockets cannot shut clients out", async () => {
    const held = Array.from({ length: 25 }, () => slowSocket(s.port, "", "", 0));
    await new Promise((r) => setTimeout(r, 300));
    const open = held.filter((h) => !h.socket.destroyed && h.socket.readyState === "open");
    expect(open.length).toBeLessThanOrEqual(20);
    // the five oldest made room for the newest
    expect(held.slice(0, 5).every((h) => h.socket.destroyed || h.socket.readyState !== "open")).toBe(true);
    expect(
      logLines.some((l) => /WARN closed \d+ connection\(s\) that had no request under way .*AIGC_MCP_MAX_CONNECTIONS \(20\)/.test(l)),
    ).toBe(true);
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));

    // An attacker holding every place with silent sockets, reconnecting the moment one closes:
    // every client still gets in (with Node's own cap, every one was refused).
    let attacking = true;
    const attacker = (): void => {
      const x = slowSocket(s.port, "", "", 0);
      void x.closed.then(() => attacking && setImmediate(attacker));
    };
    for (let i = 0; i < 20; i++) attacker();
    await new Promise((r) => setTimeout(r, 300));
    const health = `${new URL(s.http.url).origin}/healthz`;
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await fetch(health).then((r) => r.status, String));
    attacking = false;
    expect(answers).toEqual(Array(10).fill(200));
    expect((await post(s.http.url, init)).status).toBe(200);
  }, 20_000);

  it("makes room from the address holding the most connections, not from another client's connection idle between calls", async () => {
    const get = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`;
    /** A keep-alive socket from `localAddress`; `answers` counts the answers it got. */
    const from = (localAddress: string) => {
      const socket = connect({ port: s.port, host: "127.0.0.1", localAddress });
      const got = { answers: 0, socket };
      socket.on("data", (d: Buffer) => void (got.answers += d.toString().split("HTTP/1.1 200").length - 1));
      socket.on("error", () => undefined);
      return got;
    };
    const client = from("127.0.0.3");
    client.socket.write(get);
    await new Promise((r) => setTimeout(r, 100));
    expect(client.answers).toBe(1); // now idle between its calls, kept alive
    // Another address keeps 19 sockets busy with quick requests, so they are always the newest idle ones.
    const busy = Array.from({ length: 19 }, () => from("127.0.0.2"));
    const timer = setInterval(() => busy.forEach((b) => b.socket.writable && b.socket.write(get)), 20);
    await new Promise((r) => setTimeout(r, 200));
    // And opens five more, over the cap of 20.
    const more = Array.from({ length: 5 }, () => from("127.0.0.2"));
    for (const m of more) m.socket.on("connect", () => m.socket.write(get));
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(timer);
    expect(client.socket.destroyed).toBe(false);
    client.socket.write(get);
    await new Promise((r) => setTimeout(r, 100));
    expect(client.answers).toBe(2);
    expect([...busy, ...more].filter((b) => b.socket.destroyed).length).toBeGreaterThanOrEqual(5);
    for (const b of [client, ...busy, ...more]) b.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
  });

  it("refuses a connection over the cap only when every open one is serving a request", async () => {
    const head = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`;
    // headers done, bodies still coming (the body timeout is 1 s between chunks): each is a request under way
    // one at a time, so each is serving its request before the next comes (earlier tests' idle sockets make room)
    const busy: Array<ReturnType<typeof slowSocket>> = [];
    for (let i = 0; i < 20; i++) {
      busy.push(slowSocket(s.port, head, " ", 300));
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 100));
    // One more is let in for one request, to be told why it is refused (not reset), and closed.
    const refusal = await post(s.http.url, init).catch((err: Error) => err);
    expect(refusal).toBeInstanceOf(Response);
    expect((refusal as Response).status).toBe(503);
    expect((refusal as Response).headers.get("retry-after")).toBe("5");
    expect(await (refusal as Response).text()).toMatch(
      /^Busy: AIGC_MCP_MAX_CONNECTIONS \(20\) connections are open, each serving a request .*each MCP client holds one while connected\)\. Send it again later, or raise AIGC_MCP_MAX_CONNECTIONS\./,
    );
    // A health check still gets its answer: a busy server is not an unhealthy one.
    const healthz = await fetch(`${new URL(s.http.url).origin}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toMatchObject({ status: "ok" });
    const late = slowSocket(s.port, "", "", 0);
    expect(await late.closed).toBeLessThan(2_000); // a silent one: closed by the headers timeout (1 s)
    // Silent sockets over the cap do not hold the 32 places of refused connections: a health check still gets its answer.
    const silent = Array.from({ length: 40 }, () => slowSocket(s.port, "", "", 0));
    await new Promise((r) => setTimeout(r, 200));
    const checked = await fetch(`${new URL(s.http.url).origin}/healthz`).then((r) => r.status, String);
    expect(checked).toBe(200);
    for (const x of silent) x.socket.destroy();
    await Promise.all(silent.map((x) => x.closed));
    expect(busy.filter((b) => !b.socket.destroyed).length).toBe(20);
    expect(
      logLines.some((l) => /WARN refused \d+ connection\(s\): AIGC_MCP_MAX_CONNECTIONS \(20\) are open, each serving a request/.test(l)),
    ).toBe(true);
    for (const b of busy) b.socket.destroy();
    await Promise.all(busy.map((b) => b.closed));
    // the server sees them close a moment later; then a client gets in again
    await new Promise((r) => setTimeout(r, 200));
    expect((await post(s.http.url, init)).status).toBe(200);
  }, 20_000);

  it("keeps a long SSE tool call alive past every timeout", async () => {
    const call = {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "seedance_generate_video", arguments: { prompt: "a long one", wait_seconds: 8 } },
    };
    const t0 = Date.now();
    const r = await post(s.http.url, call, { "mcp-protocol-version": "2025-11-25" });
    expect(r.headers.get("content-type")).toMatch(/text\/event-stream/);
    const body = await r.text();
    expect(Date.now() - t0).toBeGreaterThan(3_000);
    expect((body.match(/^: keepalive$/gm) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(body).toMatch(/"status":"succeeded"/);
  }, 20_000);
});

describe("large request bodies held at once (AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT)", () => {
  let s: Running;
  // The "[slow]" prompt takes the simulator 10 × 200 ms: 2 s.
  beforeAll(async () => {
    s = await start({ AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT: String(1 << 20), AIGC_MCP_BODY_TIMEOUT_S: "1" }, 200);
  });
  afterAll(() => stop(s));

  // A JPEG by its magic, of 700 000 random bytes: a 0.93 MB data: URI, so two do not fit in 1 MiB.
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]), randomBytes(700_000)]);
  const image = `data:image/jpeg;base64,${jpeg.toString("base64")}`;
  const toolCall = (id: number, prompt: string) => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "seedream_generate_image", arguments: { prompt, images: [image], wait_seconds: 30, delivery: "link" } },
  });
  const call = (id: number, prompt: string, headers: Record<string, string> = {}) =>
    post(s.http.url, toolCall(id, prompt), headers).then(async (r) => ({
      status: r.status,
      text: await r.text(),
      at: Date.now(),
      retryAfter: r.headers.get("retry-after"),
    }));
  const generations = () => s.ark.sim.requests.filter((r) => r.path.endsWith("/images/generations"));
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise((r) => setTimeout(r, 20));
  };
  /** A new session's header. */
  const session = async () => {
    const r = await post(s.http.url, init);
    await r.text();
    const headers = { "mcp-session-id": r.headers.get("mcp-session-id")!, "mcp-protocol-version": "2025-11-25" };
    await (await post(s.http.url, { jsonrpc: "2.0", method: "notifications/initialized" }, headers)).text();
    return headers;
  };
  const cancel = (headers: Record<string, string>, requestId: number) =>
    post(s.http.url, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId, reason: "stop" } }, headers).then((r) =>
      r.text(),
    );

  it("a cancelled call gives its room back at once, though its client keeps its stream open", async () => {
    const headers = await session();
    const before = generations().length;
    const ac = new AbortController();
    // Its answer stream is left open: the SDK sends nothing for a cancelled request.
    void fetch(s.http.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify(toolCall(10, "[slow] [slow] a kite")),
      signal: ac.signal,
    }).catch(() => undefined);
    await until(() => generations().length > before);
    await cancel(headers, 10);
    const t0 = Date.now();
    const next = await call(11, "a kite");
    expect(next.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1500);
    ac.abort();
  });

  it("a body still waiting for room when the server starts shutting down is answered 503 at once, and not run", async () => {
    const d = await start({ AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT: String(1 << 20), AIGC_MCP_BODY_TIMEOUT_S: "5" }, 200);
    try {
      const made = () => d.ark.sim.requests.filter((r) => r.path.endsWith("/images/generations")).length;
      d.ark.sim.inject({ kind: "delay", delayMs: 3000, match: (r) => r.path.endsWith("/images/generations") });
      const first = post(d.http.url, toolCall(30, "a kite")).then(async (r) => ({ status: r.status, text: await r.text() }));
      await until(() => made() === 1);
      const waiting = post(d.http.url, toolCall(31, "a kite")).then(async (r) => ({ status: r.status, text: await r.text() }));
      await new Promise((r) => setTimeout(r, 200));
      expect(d.http.server.listening).toBe(true);
      const t0 = Date.now();
      const drained = d.http.drain(10_000);
      const refused = await waiting;
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(refused.status).toBe(503);
      expect(refused.text).toMatch(/the server is shutting down; send the request again/);
      expect(await first).toMatchObject({ status: 200, text: expect.stringMatching(/succeeded/) });
      await drained;
      expect(made()).toBe(1);
    } finally {
      await stop(d);
    }
  });

  it("a call cancelled while its body waits for room is not run", async () => {
    const headers = await session();
    const before = generations().length;
    const first = call(20, "[slow] a kite");
    await until(() => generations().length > before);
    const waiting = call(21, "a kite", headers);
    await new Promise((r) => setTimeout(r, 200));
    await cancel(headers, 21);
    const answer = await waiting;
    expect(answer.text).toMatch(
      /"id":21.*the client cancelled this request \(notifications\/cancelled\) before its body was read; it was not run/,
    );
    expect((await first).status).toBe(200);
    expect(generations()).toHaveLength(before + 1);
  });

  it("a large body waits for room while small requests go through, then runs", async () => {
    const before = generations().length;
    const first = call(1, "[slow] a kite");
    while (generations().length === before) await new Promise((r) => setTimeout(r, 20));
    const second = call(2, "a kite");
    const t0 = Date.now();
    const list = await post(s.http.url, { jsonrpc: "2.0", id: 3, method: "tools/list" });
    expect(list.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(generations()).toHaveLength(before + 1); // the second is still waiting
    const health = (await (await fetch(`${new URL(s.http.url).origin}/healthz`)).json()) as { large_bodies: object };
    expect(health.large_bodies).toEqual({
      bytes_held: expect.any(Number),
      bytes_loaded: 0,
      bytes_to_vendors: expect.any(Number),
      waiting: 1,
    });
    const [a, b] = await Promise.all([first, second]);
    for (const r of [a, b]) {
      expect(r.status).toBe(200);
      expect(r.text).not.toMatch(/"isError":true/);
    }
    expect(b.at).toBeGreaterThan(a.at);
  });

  it("a call that answers at once (wait_seconds: 0) leaves its media's room held until the vendor has answered its request", async () => {
    const before = generations().length;
    const quick = toolCall(6, "[slow] a kite");
    quick.params.arguments.wait_seconds = 0;
    const first = await post(s.http.url, quick).then(async (r) => ({ status: r.status, text: await r.text() }));
    expect(first).toMatchObject({ status: 200, text: expect.stringMatching(/"status":"running"/) });
    const answeredAt = Date.now();
    const health = (await (await fetch(`${new URL(s.http.url).origin}/healthz`)).json()) as { large_bodies: object };
    // Its own body's room is given back; its request to the vendor, still rendering, is counted.
    expect(health.large_bodies).toEqual({ bytes_held: 0, bytes_loaded: 0, bytes_to_vendors: expect.any(Number), waiting: 0 });
    expect((health.large_bodies as { bytes_to_vendors: number }).bytes_to_vendors).toBeGreaterThan(image.length);
    const second = call(7, "a kite");
    await until(() => generations().length === before + 2);
    // The second was let in only when the vendor answered the first (its render takes 2 s).
    expect(Date.now() - answeredAt).toBeGreaterThan(1500);
    expect((await second).status).toBe(200);
  });

  it("answers 503 with Retry-After when no room comes within 3 × the body timeout, and sends nothing of it", async () => {
    s.ark.sim.inject({ kind: "delay", delayMs: 4000, match: (r) => r.path.endsWith("/images/generations") });
    const before = generations().length;
    const first = call(4, "a kite");
    while (generations().length === before) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    const refused = await call(5, "a kite");
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe("5");
    expect(refused.text).toMatch(
      /^Busy: the server already holds \d+ bytes .*\(each up to AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, 1048576\), and this one waited 3 s for room\. .*file paths or URLs/,
    );
    expect(Date.now() - t0).toBeGreaterThan(2500);
    expect(generations()).toHaveLength(before + 1);
    expect((await first).status).toBe(200);
  });
});

describe("media the server loads for calls (file paths) wait for room as large bodies do", () => {
  let s: Running;
  const dir = tempDir("aigc-loads-");
  const file = join(dir, "kite.jpg");
  // 700 000 random bytes behind a JPEG's magic: a 0.93 MB create, so two do not fit in 1 MiB.
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]), randomBytes(700_000)]);
  writeFileSync(file, jpeg);
  beforeAll(async () => {
    s = await start({ AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT: String(1 << 20), AIGC_MCP_BODY_TIMEOUT_S: "1", AIGC_MCP_INPUT_ROOTS: dir }, 200);
  });
  afterAll(() => stop(s));

  const callTool = (id: number, name: string, args: Record<string, unknown>) =>
    post(s.http.url, { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: { wait_seconds: 30, ...args } } }).then(
      async (r) => ({ status: r.status, text: await r.text(), at: Date.now() }),
    );
  const bodies = async () =>
    ((await (await fetch(`${new URL(s.http.url).origin}/healthz`)).json()) as { large_bodies: Record<string, number> }).large_bodies;
  /** Samples /healthz until `done` settles; the peaks of each count. */
  const peaks = async (done: Promise<unknown>) => {
    let over = false;
    void done.finally(() => (over = true));
    const peak = { bytes_loaded: 0, bytes_to_vendors: 0 };
    while (!over) {
      const b = await bodies();
      peak.bytes_loaded = Math.max(peak.bytes_loaded, b.bytes_loaded ?? NaN);
      peak.bytes_to_vendors = Math.max(peak.bytes_to_vendors, b.bytes_to_vendors!);
      await new Promise((r) => setTimeout(r, 10));
    }
    return peak;
  };
  const generations = () => s.ark.sim.requests.filter((r) => r.path.endsWith("/images/generations"));

  it("a burst of calls naming a 0.7 MB file sends one create of it at a time under a 1 MiB budget, and every call runs", async () => {
    const calls = Promise.all([1, 2, 3, 4].map((i) => callTool(i, "seedream_generate_image", { prompt: "a kite", images: [file] })));
    const peak = await peaks(calls);
    for (const r of await calls) {
      expect(r.status).toBe(200);
      expect(r.text).toMatch(/"status":"succeeded"/);
    }
    expect(peak.bytes_to_vendors).toBeGreaterThan(jpeg.length); // its create, as base64
    expect(peak.bytes_to_vendors).toBeLessThan(2 * jpeg.length); // never two at once (four without the wait)
    expect(peak.bytes_loaded).toBe(jpeg.length); // one file's room at a time
    expect(await bodies()).toMatchObject({ bytes_loaded: 0, bytes_to_vendors: 0, waiting: 0 });
  });

  it("calls that each read two files take turns under a budget that holds one call's, and none waits on another", async () => {
    const half = join(dir, "half.jpg");
    writeFileSync(half, jpeg.subarray(0, 450_000));
    const half2 = join(dir, "half2.jpg");
    writeFileSync(half2, jpeg.subarray(0, 460_000));
    const t0 = Date.now();
    const calls = [1, 2, 3, 4].map((i) => callTool(50 + i, "seedream_generate_image", { prompt: "a kite", images: [half, half2] }));
    for (const r of await Promise.all(calls)) expect(r.text).toMatch(/"status":"succeeded"/);
    expect(Date.now() - t0).toBeLessThan(8_000); // before, they waited on each other until one gave up (30 s)
    expect(await bodies()).toMatchObject({ bytes_loaded: 0, waiting: 0 });
  });

  it("a video call gives its file's room back once its create is answered, though it still waits for the video", async () => {
    const tasks = () => s.ark.sim.requests.filter((r) => r.path.endsWith("/tasks") && r.method === "POST").length;
    const video = callTool(10, "seedance_generate_video", { prompt: "a kite flies", first_frame: file });
    while (!tasks()) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // the create's answer
    expect(await bodies()).toMatchObject({ bytes_loaded: 0, bytes_to_vendors: 0 });
    const image = await callTool(11, "seedream_generate_image", { prompt: "a kite", images: [file] });
    expect(image.text).toMatch(/"status":"succeeded"/);
    const done = await video;
    expect(done.text).toMatch(/"status":"succeeded"/);
    expect(done.at).toBeGreaterThan(image.at); // the task runs 4 s
  });

  it("a call refused for one of its inputs keeps no room for the others it was reading", async () => {
    const missing = join(dir, "missing.jpg");
    const other = join(dir, "kite2.jpg");
    writeFileSync(other, jpeg);
    for (let i = 0; i < 3; i++) {
      const r = await callTool(40 + i, "seedance_generate_video", { prompt: "x", first_frame: missing, reference_images: [file, other] });
      expect(r.text).toMatch(/first_frame: file .*missing\.jpg does not exist/);
    }
    await new Promise((r) => setTimeout(r, 300)); // the other reads end
    expect(await bodies()).toMatchObject({ bytes_loaded: 0, waiting: 0 });
  });

  it("a call whose file finds no room within 3 × the body timeout (or its longer wait) fails with Busy, and nothing of it reaches the vendor", async () => {
    s.ark.sim.inject({ kind: "delay", delayMs: 4000, match: (r) => r.path.endsWith("/images/generations") });
    const before = generations().length;
    const first = callTool(20, "seedream_generate_image", { prompt: "a kite", images: [file] });
    while (generations().length === before) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    // A call that waits 1 s waits the budget's 3 s for room (one waiting longer would wait its own).
    const refused = await callTool(21, "seedream_generate_image", { prompt: "a kite", images: [file], wait_seconds: 1 });
    expect(Date.now() - t0).toBeGreaterThan(2500);
    expect(refused.text).toMatch(/"isError":true/);
    expect(refused.text).toContain(
      `Error: Busy: images[0] (${jpeg.length} bytes) was not read: other calls and reads hold ${jpeg.length} bytes of media loaded and the server`,
    );
    expect(refused.text).toMatch(/Nothing was sent to the vendor: call again in a few seconds/);
    expect(generations()).toHaveLength(before + 1);
    expect((await first).text).toMatch(/"status":"succeeded"/);
  });
});

describe("a connection or session that closes mid-call (MCP: no cancellation)", () => {
  it("leaves the synchronous generation it started to finish, without a session and with one ended by DELETE", async () => {
    const d = await start({}, 200);
    try {
      const made = () => d.ark.sim.requests.filter((r) => r.path.endsWith("/images/generations")).length;
      const until = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
        const end = Date.now() + ms;
        while (!(await cond())) {
          if (Date.now() > end) throw new Error("condition not met in time");
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const call = (id: number, prompt: string) => ({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: "seedream_generate_image", arguments: { prompt, wait_seconds: 30, delivery: "link" } },
      });
      const dropped = new AbortController();
      void fetch(d.http.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify(call(1, "[slow] a kite without a session")),
        signal: dropped.signal,
      }).catch(() => undefined);
      await until(() => made() === 1);
      dropped.abort();
      const opened = await post(d.http.url, init);
      await opened.text();
      const headers = { "mcp-session-id": opened.headers.get("mcp-session-id")!, "mcp-protocol-version": "2025-11-25" };
      await (await post(d.http.url, { jsonrpc: "2.0", method: "notifications/initialized" }, headers)).text();
      void post(d.http.url, call(2, "[slow] a kite in a session"), headers).catch(() => undefined);
      await until(() => made() === 2);
      await fetch(d.http.url, { method: "DELETE", headers });
      const listed = async () =>
        (await post(d.http.url, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "list_jobs", arguments: {} } })).text();
      await until(async () => ((await listed()).match(/ark image succeeded/g) ?? []).length === 2);
      expect(await listed()).not.toMatch(/cancelled/);
    } finally {
      await stop(d);
    }
  });
});
