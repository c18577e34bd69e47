/**
 * Issue 14's "done when", through the built server and the SDK's real client: an estimate against
 * the hand-computed value; max_cost refused with zero vendor requests; 20 concurrent calls against a
 * budget that fits exactly 5, from two server processes sharing one store (the output folder, then
 * Redis); elicitation accepted and declined, and `confirm: true` for a client without it; an
 * idempotent retry after a dropped connection making one vendor task; concurrent same-key calls with
 * wait_seconds 0 from two processes getting one job. Counts are the Ark
 * simulator's own (its task map and request log).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { mark } from "../helpers/results.js";
import { startHttpServer, stdioClient } from "./helpers.js";

/** Seedance 2.0, 5 s, 720p 16:9: Ark's 2.0-series 720p 16:9 frame is 1280×720 at 24 fps, ¥46 per million tokens. */
const CALL = { prompt: "waves at dusk", ratio: "16:9", resolution: "720p", duration: 5, wait_seconds: 0 };
const TOKENS = (5 * 1280 * 720 * 24) / 1024;
const ESTIMATE = (TOKENS / 1e6) * 46;

const text = (r: CallToolResult) => (r.content[0]?.type === "text" ? r.content[0].text : "");
const structured = (r: CallToolResult) =>
  r.structuredContent as Record<string, unknown> & { cost?: Record<string, unknown>; job_id?: string };

describe("cost control through the built server", () => {
  let ark: ArkSimulator;
  let redis: TestRedis;
  const env = (extra: Record<string, string> = {}) => ({
    ARK_API_KEY: ark.apiKey,
    ARK_BASE_URL: ark.baseUrl,
    AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-cost-"),
    AIGC_MCP_LOG_LEVEL: "error",
    ...extra,
  });

  beforeAll(async () => {
    ark = await new ArkSimulator({ queuedMs: 100, runningMs: 300, imageDelayMs: 5, maxRenderEdge: 128 }).start();
    redis = await startRedis();
  });
  afterAll(async () => {
    await ark.close();
    await redis.close();
  });

  it("estimate_cost gives the hand-computed estimate with its basis and source; a finished call reports estimate and actual", async () => {
    const { client } = await stdioClient(env());
    try {
      const before = mark(ark);
      const est = (await client.callTool({
        name: "estimate_cost",
        arguments: { tool: "seedance_generate_video", arguments: CALL },
      })) as CallToolResult;
      expect(est.isError).toBeFalsy();
      const cost = structured(est).cost!;
      expect(cost.estimated).toBeCloseTo(ESTIMATE, 6);
      expect(cost).toMatchObject({ currency: "CNY", price_confidence: "transcribed", price_date: "2026-11-30" });
      expect(cost.basis).toMatch(/108 000 tokens/);
      expect(before.since()).toHaveLength(0);

      const run = (await client.callTool({ name: "seedance_generate_video", arguments: { ...CALL, wait_seconds: 30 } })) as CallToolResult;
      expect(run.isError).toBeFalsy();
      const done = structured(run);
      expect(done.status).toBe("succeeded");
      expect(done.cost).toMatchObject({ estimated: cost.estimated, currency: "CNY", actual_currency: "CNY" });
      // The simulator bills the tokens it counts itself; the actual is those tokens at the same rate.
      const task = [...ark.tasks.values()].at(-1)!;
      const billed = (task as unknown as { data: { usage?: { completion_tokens?: number } } }).data.usage?.completion_tokens;
      if (billed !== undefined) expect(done.cost!.actual).toBeCloseTo((billed / 1e6) * 46, 6);
      expect(text(run)).toMatch(/Cost: ¥4\.968 estimated/);
      expect(run._meta?.usage).toMatchObject({ currency: "CNY" });
    } finally {
      await client.close();
    }
  });

  it("max_cost below the estimate is refused naming the estimate, with zero vendor requests", async () => {
    const { client } = await stdioClient(env());
    try {
      const before = mark(ark);
      const r = (await client.callTool({ name: "seedance_generate_video", arguments: { ...CALL, max_cost: 4 } })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/^Error: CostAboveMax \(Ark\): the estimate ¥4\.968 is above max_cost 4 CNY \(.*108 000 tokens/);
      expect(before.since()).toHaveLength(0);
    } finally {
      await client.close();
    }
  });

  for (const store of ["the output folder", "Redis"] as const) {
    it(`20 concurrent calls from two processes sharing ${store}, against a budget that fits 5: 5 vendor tasks, 15 refusals`, async () => {
      const shared = env({
        AIGC_MCP_BUDGET: `daily:${(ESTIMATE * 5 + 0.001).toFixed(6)}CNY`,
        ...(store === "Redis" ? { AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: `cost-${Date.now()}:` } : {}),
      });
      const a = await stdioClient(shared);
      const b = await stdioClient(shared);
      try {
        const tasksBefore = ark.tasks.size;
        const calls = Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).client.callTool({ name: "seedance_generate_video", arguments: { ...CALL, prompt: `waves ${i}` } }),
        );
        const results = (await Promise.all(calls)) as CallToolResult[];
        const ok = results.filter((r) => !r.isError);
        const refused = results.filter((r) => r.isError);
        expect(ok).toHaveLength(5);
        expect(refused).toHaveLength(15);
        expect(ark.tasks.size - tasksBefore).toBe(5);
        for (const r of refused)
          expect(text(r)).toMatch(
            /^Error: BudgetExceeded .*daily budget \(all vendors\) of ¥24\.8\d* has .* spent and .* held.*resets at \d{4}-\d\d-\d\dT/s,
          );
        const budget = (await a.client.callTool({ name: "get_budget", arguments: {} })) as CallToolResult;
        expect(text(budget)).toMatch(/daily .* CNY: .* left/);
      } finally {
        await a.client.close();
        await b.client.close();
      }
    });
  }

  for (const store of ["the output folder", "Redis"] as const) {
    it(`concurrent calls with one idempotency_key and wait_seconds 0 from two processes sharing ${store} get one job`, async () => {
      const shared = env(store === "Redis" ? { AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: `idem-${Date.now()}:` } : {});
      const a = await stdioClient(shared);
      const b = await stdioClient(shared);
      try {
        const tasksBefore = ark.tasks.size;
        const args = { ...CALL, idempotency_key: `same-${Date.now()}` };
        // A repeat used to answer at once (wait_seconds 0) that the first call was still starting its job.
        const results = (await Promise.all(
          [a, b, a, b].map((c) => c.client.callTool({ name: "seedance_generate_video", arguments: args })),
        )) as CallToolResult[];
        for (const r of results) expect(r.isError, text(r)).toBeFalsy();
        expect(new Set(results.map((r) => structured(r).job_id)).size).toBe(1);
        expect(ark.tasks.size - tasksBefore).toBe(1);
      } finally {
        await a.client.close();
        await b.client.close();
      }
    });
  }

  it("asks a client with elicitation: accepted runs the call, declined sends nothing", async () => {
    const answers: Array<"accept" | "decline" | "fail"> = ["accept", "decline", "fail"];
    const seen: string[] = [];
    const { client } = await stdioClient(env({ AIGC_MCP_CONFIRM_ABOVE: "1CNY" }), [], { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, (req) => {
      seen.push(req.params.message);
      const action = answers.shift()!;
      if (action === "fail") throw new Error("boom");
      return action === "accept" ? { action, content: { approve: true } } : { action };
    });
    try {
      const before = ark.tasks.size;
      const yes = (await client.callTool({ name: "seedance_generate_video", arguments: CALL })) as CallToolResult;
      expect(yes.isError).toBeFalsy();
      expect(seen[0]).toMatch(
        /Tool: seedance_generate_video[\s\S]*Model: doubao-seedance-2-0-260128[\s\S]*Estimate: ¥4\.968[\s\S]*Basis: .*108 000 tokens/,
      );
      expect(ark.tasks.size - before).toBe(1);
      const m = mark(ark);
      const no = (await client.callTool({ name: "seedance_generate_video", arguments: CALL })) as CallToolResult;
      expect(no.isError).toBe(true);
      expect(text(no)).toMatch(/^Error: NotConfirmed .*did not approve spending ¥4\.968 \(decline\); nothing was sent/);
      // A form that fails in the client is the client's failure, not an internal error of the server.
      const failed = (await client.callTool({ name: "seedance_generate_video", arguments: CALL })) as CallToolResult;
      expect(text(failed)).toMatch(/^Error: ApprovalFailed \(Ark\): the client could not ask the user .*boom.*nothing was billed/);
      expect(m.since()).toHaveLength(0);
    } finally {
      await client.close();
    }
  });

  it("refuses a client without elicitation until the call is repeated with confirm: true", async () => {
    const { client } = await stdioClient(env({ AIGC_MCP_CONFIRM_ABOVE: "1CNY" }));
    try {
      const schema = (await client.listTools()).tools.find((t) => t.name === "seedance_generate_video")!.inputSchema;
      expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(["max_cost", "idempotency_key", "confirm"]));
      const m = mark(ark);
      const first = (await client.callTool({ name: "seedance_generate_video", arguments: CALL })) as CallToolResult;
      expect(first.isError).toBe(true);
      expect(text(first)).toMatch(
        /^Error: ConfirmationRequired .*estimated at ¥4\.968.*\nWhat to do: .*explicit approval, then repeat the same call with confirm: true/s,
      );
      expect(m.since()).toHaveLength(0);
      const again = (await client.callTool({ name: "seedance_generate_video", arguments: { ...CALL, confirm: true } })) as CallToolResult;
      expect(again.isError).toBeFalsy();
      expect(m.since((r) => r.method === "POST")).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it("an idempotent retry after a dropped connection gets the first call's job: one vendor task", async () => {
    const server = await startHttpServer({ ...env(), AIGC_MCP_LOG_LEVEL: "info" });
    const key = `retry-${Date.now()}`;
    try {
      const first = new Client({ name: "drops", version: "1" });
      await first.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      const tasksBefore = ark.tasks.size;
      // The call waits up to 30 s; the client's connection drops while the server is waiting.
      const pending = first.callTool({ name: "seedance_generate_video", arguments: { ...CALL, wait_seconds: 30, idempotency_key: key } });
      await new Promise((r) => setTimeout(r, 150));
      await first.close();
      await pending.catch(() => undefined);

      const second = new Client({ name: "retries", version: "1" });
      await second.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      const retry = (await second.callTool({
        name: "seedance_generate_video",
        arguments: { ...CALL, wait_seconds: 30, idempotency_key: key },
      })) as CallToolResult;
      expect(retry.isError).toBeFalsy();
      expect(text(retry)).toMatch(/^This repeats an earlier call with the same idempotency_key/);
      expect(structured(retry).status).toBe("succeeded");
      expect(ark.tasks.size - tasksBefore).toBe(1);
      const other = (await second.callTool({
        name: "seedance_generate_video",
        arguments: { ...CALL, prompt: "something else", idempotency_key: key },
      })) as CallToolResult;
      expect(text(other)).toMatch(/^Error: IdempotencyKeyReused/);
      expect(ark.tasks.size - tasksBefore).toBe(1);
      await second.close();
    } finally {
      server.child.kill();
    }
  });
});
