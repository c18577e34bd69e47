/** Large request bodies to vendors are counted while they are in flight, retries' waits included (net/outbound-bodies.ts). */
import { EventEmitter } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest } from "../../src/net/http.js";
import { loadUndici } from "../../src/net/undici.js";
import { BodyBudget } from "../../src/transports/body-budget.js";
import { countProcessMedia } from "../../src/net/outbound-bodies.js";

let server: Server;
let url: string;
let answered = 0;
beforeAll(async () => {
  // The first request of each pair is refused with 429 (Retry-After 0.3 s), the second answered.
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (answered++ % 2 === 0) res.writeHead(429, { "retry-after": "0.3" }).end();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/create`;
});
afterAll(() => server.close());

describe("outbound bodies", () => {
  it("are counted from the first send to the last answer, through a retry's wait, and only while a budget counts them", async () => {
    const owner = new EventEmitter();
    const budget = new BodyBudget(1 << 20);
    const samples: number[] = [];
    countProcessMedia(budget, owner);
    const body = "x".repeat(200_000);
    const retry = { attempts: 2, shouldRetry: (res: { status: number } | undefined) => res?.status === 429 };
    const sampling = setInterval(() => samples.push(budget.inSending), 20);
    const res = await httpRequest(url, { vendor: "test", method: "POST", body, retry });
    clearInterval(sampling);
    expect(res.status).toBe(200);
    expect(samples.length).toBeGreaterThan(5); // the retry waited 0.3 s
    expect(samples.every((n) => n === body.length)).toBe(true);
    expect(budget.inSending).toBe(0);
    owner.emit("close");
    const after: number[] = [];
    const again = setInterval(() => after.push(budget.inSending), 20);
    await httpRequest(url, { vendor: "test", method: "POST", body, retry });
    clearInterval(again);
    expect(after.length).toBeGreaterThan(5);
    expect(after.every((n) => n === 0)).toBe(true);
  });

  it("count a multipart form by its fields and files (gateway_transcribe's upload)", async () => {
    const owner = new EventEmitter();
    const budget = new BodyBudget(1 << 20);
    countProcessMedia(budget, owner);
    const { FormData } = await loadUndici();
    const form = new FormData();
    form.append("model", "paraformer-v2");
    form.append("file", new Blob([Buffer.alloc(300_000)], { type: "audio/wav" }), "a.wav");
    const samples: number[] = [];
    const sampling = setInterval(() => samples.push(budget.inSending), 20);
    const retry = { attempts: 2, shouldRetry: (res: { status: number } | undefined) => res?.status === 429 };
    await httpRequest(url, { vendor: "test", method: "POST", body: form, retry });
    clearInterval(sampling);
    owner.emit("close");
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.every((n) => n === 300_000 + "paraformer-v2".length)).toBe(true);
  });
});
