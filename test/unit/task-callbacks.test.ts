/** Vendor task callback URLs (src/net/task-callbacks.ts) and the simulators' side of them. */
import { describe, expect, it } from "vitest";
import { parseCoreConfig } from "../../src/config.js";
import { callbackTaskId, taskCallbacks } from "../../src/net/task-callbacks.js";
import { SimServer } from "../../src/sandbox/sim-server.js";

const secret = "s".repeat(32);
const core = (url: string, taskCallbacks = "true") =>
  parseCoreConfig({
    AIGC_MCP_OUTPUT_DIR: "/tmp/aigc-callbacks-test",
    AIGC_MCP_TRANSPORT: "http",
    AIGC_MCP_PUBLIC_URL: url,
    AIGC_MCP_MEDIA_URL_SECRET: secret,
    AIGC_MCP_TASK_CALLBACKS: taskCallbacks,
  });

describe("task callback URLs", () => {
  it("are a valid URL whatever the public URL's path holds (percent-encoded, as download URLs)", () => {
    const url = taskCallbacks(core("http://127.0.0.1:9/a b/生成"))!.url("ark");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:9\/a%20b\/%E7%94%9F%E6%88%90\/callbacks\/ark\?sig=[\w-]{43}$/);
    expect(new URL(url).href).toBe(url);
  });

  it("are not made when callbacks are off", () => {
    expect(taskCallbacks(core("https://x.example", "false"))).toBeUndefined();
  });

  it("name their task in each envelope the vendors' docs show", () => {
    expect(callbackTaskId({ id: "cgt-1", status: "succeeded" })).toBe("cgt-1");
    expect(callbackTaskId({ task_id: "86", task_status: "succeed" })).toBe("86");
    expect(callbackTaskId({ code: 0, data: { task_id: "87" } })).toBe("87");
    expect(callbackTaskId({ data: { id: "88" } })).toBe("88");
    expect(callbackTaskId({ task_id: 89 })).toBeUndefined();
    expect(callbackTaskId(null)).toBeUndefined();
  });
});

describe("simulator callbacks", () => {
  it("go to loopback hosts only: a sandbox sends nothing off the machine", async () => {
    const sim = new SimServer("t", () => ({ status: 404, body: {} }));
    sim.callBack("http://203.0.113.7/callbacks/ark?sig=x", [sim.now()], () => ({ id: "t1" }));
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.callbacks).toEqual([{ url: "http://203.0.113.7/callbacks/ark?sig=x", body: { id: "t1" }, skipped: true }]);
    await sim.close();
  });
});
