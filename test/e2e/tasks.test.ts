/**
 * MCP tasks (2025-11-25, AIGC_MCP_TASKS=true) through the SDK's own task client, over Streamable
 * HTTP against two replicas sharing one output folder, and over stdio: a task is its job, so it is
 * created on one replica and read, waited for and cancelled on the other.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir } from "../helpers/harness.js";
import type { JobResult } from "../helpers/results.js";
import { startHttpServer, stdioClient } from "./helpers.js";

const TOKEN = "e2e-tasks-token-000000000000";
const IMMEDIATE = "io.modelcontextprotocol/model-immediate-response";
const RELATED = "io.modelcontextprotocol/related-task";

async function rpcError(p: Promise<unknown>): Promise<McpError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof McpError) return err;
    throw err;
  }
  throw new Error("expected a JSON-RPC error");
}

describe("MCP tasks over Streamable HTTP, two replicas", () => {
  let ark: ArkSimulator;
  const servers: Array<{ url: string; child: ChildProcess; stderr: () => string }> = [];
  const clients: Client[] = [];
  let a: Client;
  let b: Client;
  const connect = async (url: string) => {
    const c = new Client({ name: "e2e-tasks", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    ark = await new ArkSimulator({ queuedMs: 1200, runningMs: 1500, imageDelayMs: 20, maxRenderEdge: 256 }).start();
    const dir = tempDir("aigc-e2e-tasks-");
    const env = {
      ARK_API_KEY: ark.apiKey,
      ARK_BASE_URL: ark.baseUrl,
      AIGC_MCP_OUTPUT_DIR: dir,
      AIGC_MCP_AUTH_TOKEN: TOKEN,
      AIGC_MCP_TASKS: "true",
    };
    servers.push(await startHttpServer(env), await startHttpServer(env));
    a = await connect(servers[0]!.url);
    b = await connect(servers[1]!.url);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    for (const s of servers) s.child.kill();
    await ark.close();
  });

  it("declares tasks, and lists taskSupport optional on the tools that start a job only", async () => {
    expect(a.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await a.listTools();
    const support = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport]));
    expect(support.seedance_generate_video).toBe("optional");
    expect(support.seedream_generate_image).toBe("optional");
    for (const name of ["get_job", "wait_for_job", "cancel_job", "list_jobs", "list_models", "estimate_cost"])
      expect(support[name]).not.toBe("optional");
  });

  it("a video task answers at once, runs to completion, and its result is get_job's, on either replica", async () => {
    const started = Date.now();
    const messages = [];
    for await (const m of a.experimental.tasks.callToolStream(
      { name: "seedance_generate_video", arguments: { prompt: "task waves", duration: 5, wait_seconds: 60 } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    )) {
      if (m.type === "taskCreated") expect(Date.now() - started).toBeLessThan(2500);
      messages.push(m);
    }
    const created = messages.find((m) => m.type === "taskCreated");
    expect(created?.type === "taskCreated" && created.task.status).toBe("working");
    const taskId = created?.type === "taskCreated" ? created.task.taskId : "";
    expect(taskId).toMatch(/^t\.ark\.video\./);
    const last = messages.at(-1);
    expect(last?.type).toBe("result");
    const result = (last?.type === "result" ? last.result : undefined) as CallToolResult;
    const job = result.structuredContent as JobResult;
    expect(job.job_id).toBe(taskId);
    expect(job.status).toBe("succeeded");
    expect(job.assets[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result._meta?.[RELATED]).toEqual({ taskId });

    // The other replica: the same task, the same job.
    const task = await b.experimental.tasks.getTask(taskId);
    expect(task).toMatchObject({ taskId, status: "completed", createdAt: expect.any(String), lastUpdatedAt: expect.any(String) });
    expect(task.ttl).toBe(30 * 86_400_000);
    const again = await b.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect((again.structuredContent as JobResult).assets[0]?.sha256).toBe(job.assets[0]?.sha256);
    const listed = await b.experimental.tasks.listTasks();
    expect(listed.tasks.map((t) => t.taskId)).toContain(taskId);
  });

  it("tasks/result on another replica waits for the job, and answers in the delivery the call named", async () => {
    const created = await a.request(
      {
        method: "tools/call",
        params: { name: "seedream_generate_image", arguments: { prompt: "task cat", delivery: "link" }, task: {} },
      },
      (await import("@modelcontextprotocol/sdk/experimental/tasks/types.js")).CreateTaskResultSchema,
    );
    expect(created.task.taskId).toMatch(/^k\.ark\.image\./);
    expect(String(created._meta?.[IMMEDIATE])).toContain(`Started job ${created.task.taskId} as an MCP task`);
    expect(String(created._meta?.[IMMEDIATE])).not.toContain("wait_for_job with");
    expect(String(created._meta?.[IMMEDIATE])).toMatch(/\nCost: /);
    const result = await b.experimental.tasks.getTaskResult(created.task.taskId, CallToolResultSchema);
    expect((result.structuredContent as JobResult).status).toBe("succeeded");
    expect((await b.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toContain(created.task.taskId);
    // link: paths and links only, where the default (embed) would have carried the image.
    expect(result.content.map((c) => c.type)).toEqual(["text"]);
    expect((result.content[0] as { text: string }).text).toContain((result.structuredContent as JobResult).assets[0]!.path!);
  });

  it("tasks/cancel cancels a queued task on the other replica; a finished task cannot be cancelled (-32602)", async () => {
    const stream = a.experimental.tasks.callToolStream(
      { name: "seedance_generate_video", arguments: { prompt: "cancel me", duration: 5 } },
      CallToolResultSchema,
      { task: {} },
    );
    const first = await stream.next();
    const taskId = first.value?.type === "taskCreated" ? first.value.task.taskId : "";
    expect(taskId).not.toBe("");
    const cancelled = await b.experimental.tasks.cancelTask(taskId);
    expect(cancelled.status).toBe("cancelled");
    // The replica that started the job sees it at its next poll of the vendor.
    await expect
      .poll(async () => (await a.experimental.tasks.getTask(taskId)).status, { timeout: 10_000, interval: 250 })
      .toBe("cancelled");
    await stream.return(undefined);
    const again = await rpcError(b.experimental.tasks.cancelTask(taskId));
    expect(again.code).toBe(-32602);
  });

  it("tasks/cancel of a running Seedance task says Ark cannot cancel it (-32600), and the task goes on", async () => {
    const schema = (await import("@modelcontextprotocol/sdk/experimental/tasks/types.js")).CreateTaskResultSchema;
    const { task } = await a.request(
      { method: "tools/call", params: { name: "seedance_generate_video", arguments: { prompt: "running waves", duration: 5 }, task: {} } },
      schema,
    );
    await expect
      .poll(async () => (await a.experimental.tasks.getTask(task.taskId)).statusMessage, { timeout: 10_000, interval: 100 })
      .toContain("running");
    const refused = await rpcError(a.experimental.tasks.cancelTask(task.taskId));
    expect(refused.code).toBe(-32600);
    expect(refused.message).toContain("Cannot cancel task: NotCancelled: ");
    const done = await b.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect((done.structuredContent as JobResult).status).toBe("succeeded");
  });

  it("refuses what is not a task: a job tool as a task (-32601), bad arguments and unknown tasks (-32602)", async () => {
    const schema = (await import("@modelcontextprotocol/sdk/experimental/tasks/types.js")).CreateTaskResultSchema;
    const call = (name: string, args: Record<string, unknown>) =>
      rpcError(a.request({ method: "tools/call", params: { name, arguments: args, task: {} } }, schema));
    expect((await call("list_jobs", {})).code).toBe(-32601);
    const bad = await call("seedance_generate_video", { prompt: "x", duration: "forever" });
    expect(bad.code).toBe(-32602);
    expect(bad.message).toContain("Error: InvalidInput");
    expect(bad.message).toContain("duration");
    expect((await rpcError(b.experimental.tasks.getTask("t.ark.video.zz.nosuchtask!"))).code).toBe(-32602);
  });

  it("a job the vendor fails is a failed task whose statusMessage has the vendor's code and whose result is the error", async () => {
    let taskId = "";
    for await (const m of a.experimental.tasks.callToolStream(
      { name: "seedance_generate_video", arguments: { prompt: "[fail] waves", duration: 5 } },
      CallToolResultSchema,
      { task: {} },
    ))
      if (m.type === "taskCreated") taskId = m.task.taskId;
    const task = await b.experimental.tasks.getTask(taskId);
    expect(task.status).toBe("failed");
    expect(task.statusMessage).toMatch(/^failed: \S+: /);
    const result = await b.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect((result.content[0] as { text: string }).text).toMatch(/^Error: /);
  });

  it("a create the vendor refuses at once (nothing billed) is the call's error, with the vendor's code: no task", async () => {
    const schema = (await import("@modelcontextprotocol/sdk/experimental/tasks/types.js")).CreateTaskResultSchema;
    const refused = await rpcError(
      a.request(
        { method: "tools/call", params: { name: "seedance_generate_video", arguments: { prompt: "[blocked] waves" }, task: {} } },
        schema,
      ),
    );
    expect(refused.code).toBe(-32602);
    expect(refused.message).toMatch(/^MCP error -32602: Error: InputTextSensitiveContentDetected \(Ark, HTTP 400, request id \w+\)/);
  });

  it("tasks/list pages by creation: a task started, or one that moves on, between two pages is listed once", async () => {
    const schema = (await import("@modelcontextprotocol/sdk/experimental/tasks/types.js")).CreateTaskResultSchema;
    const start = (prompt: string) =>
      a.request({ method: "tools/call", params: { name: "seedream_generate_image", arguments: { prompt }, task: {} } }, schema);
    const video = await a.request(
      { method: "tools/call", params: { name: "seedance_generate_video", arguments: { prompt: "paging waves", duration: 5 }, task: {} } },
      schema,
    );
    const made = [video.task.taskId];
    for (let i = 0; i < 55; i++) made.push((await start(`paging cat ${i}`)).task.taskId);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await b.experimental.tasks.listTasks(cursor);
      seen.push(...page.tasks.map((t) => t.taskId));
      cursor = page.nextCursor;
      // between pages: a new task, and the video moving from queued to running
      if (cursor && seen.length <= 50) {
        await start("paging cat, late");
        await new Promise((r) => setTimeout(r, 1300));
      }
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
    expect((await rpcError(b.experimental.tasks.listTasks("bm9wZQ"))).code).toBe(-32602);
    const filtered = (await b.callTool({ name: "list_jobs", arguments: { limit: 1, status: "succeeded" } })).structuredContent as {
      next_cursor: string;
    };
    expect((await rpcError(b.experimental.tasks.listTasks(filtered.next_cursor))).code).toBe(-32602);
  });

  it("a task id in an error is redacted and cut; a request without a taskId or for an unknown tool reads plainly", async () => {
    for (const id of [ark.apiKey, "x".repeat(100_000)]) {
      const err = await rpcError(b.experimental.tasks.getTask(id));
      expect(err.code).toBe(-32602);
      expect(err.message).not.toContain(ark.apiKey);
      expect(err.message.length).toBeLessThan(400);
      expect(err.message.match(/MCP error/g)).toHaveLength(1);
    }
    const schema = (await import("@modelcontextprotocol/sdk/experimental/tasks/types.js")).CreateTaskResultSchema;
    const { GetTaskResultSchema } = await import("@modelcontextprotocol/sdk/types.js");
    const noId = await rpcError(a.request({ method: "tasks/get", params: {} }, GetTaskResultSchema));
    expect(noId.message).toBe("MCP error -32602: Invalid params: taskId must be a string");
    const unknown = await rpcError(a.request({ method: "tools/call", params: { name: "nope", arguments: {}, task: {} } }, schema));
    expect(unknown.message).toBe('MCP error -32602: Tool "nope" not found');
  });

  it("plain calls of the same tools are unchanged", async () => {
    const r = (await a.callTool({ name: "seedream_generate_image", arguments: { prompt: "plain cat" } })) as CallToolResult;
    expect((r.structuredContent as JobResult).status).toBe("succeeded");
  });
});

describe("MCP tasks over stdio", () => {
  it("a Seedream task embeds its image in tasks/result; without AIGC_MCP_TASKS nothing is declared", async () => {
    const ark = await new ArkSimulator({ queuedMs: 100, runningMs: 300, imageDelayMs: 20, maxRenderEdge: 256 }).start();
    const env = {
      ARK_API_KEY: ark.apiKey,
      ARK_BASE_URL: ark.baseUrl,
      AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-tasks-stdio-"),
      AIGC_MCP_LOG_LEVEL: "error",
    };
    const on = (await stdioClient({ ...env, AIGC_MCP_TASKS: "true" })).client;
    const off = (await stdioClient(env)).client;
    try {
      // Listed first: a start stores its tool list after its first tools/list answer.
      expect((await on.listTools()).tools.some((t) => t.execution?.taskSupport === "optional")).toBe(true);
      let result: CallToolResult | undefined;
      for await (const m of on.experimental.tasks.callToolStream(
        { name: "seedream_generate_image", arguments: { prompt: "stdio cat" } },
        CallToolResultSchema,
        {
          task: {},
        },
      ))
        if (m.type === "result") result = m.result;
      expect((result?.structuredContent as JobResult).status).toBe("succeeded");
      expect(result?.content.some((c) => c.type === "resource")).toBe(true);

      // A second start answers initialize and tools/list from what the first stored: tasks too.
      const again = await stdioClient({ ...env, AIGC_MCP_TASKS: "true", AIGC_MCP_LOG_LEVEL: "debug" });
      try {
        expect(again.client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
        const listed = await again.client.listTools();
        expect(listed.tools.find((t) => t.name === "seedream_generate_image")?.execution?.taskSupport).toBe("optional");
        // The stored list is checked in the turns after the answer: a call answered after them.
        await again.client.callTool({ name: "list_jobs", arguments: {} });
        expect(again.stderr()).toContain("answered before the server loaded (early answers)");
        expect(again.stderr()).not.toContain("out of date");
      } finally {
        await again.client.close();
      }

      expect(off.getServerCapabilities()?.tasks).toBeUndefined();
      const { tools } = await off.listTools();
      expect(tools.some((t) => t.execution?.taskSupport === "optional")).toBe(false);
    } finally {
      await on.close();
      await off.close();
      await ark.close();
    }
  });
});
