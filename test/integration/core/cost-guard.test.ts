/**
 * Issue 14: the cost guard's rules in-process (the SDK client over an in-memory transport, the
 * vendors' simulators): a budget refuses an unpriced call unless allowed and a call in a currency it
 * has no limit in; a prices file sets a price no vendor publishes; a vendor-reported failure gives
 * the reservation back; an idempotent repeat of a synchronous call makes no second request.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { FileSpendLedger } from "../../../src/cost/file-ledger.js";
import { startHarness, tempDir, text, type Harness } from "../../helpers/harness.js";
import { jobOf, mark } from "../../helpers/results.js";

/** The request id on a failure's first line. */
const requestIdOf = (r: CallToolResult) => /request id (\S+?)\)/.exec(text(r))?.[1];

const VIDEO = { prompt: "waves", ratio: "16:9", resolution: "720p", duration: 5, wait_seconds: 20 };
/** Seedance 2.0 at 720p 16:9, 5 s: 1280×720 px × 24 fps × 5 s / 1024 tokens at ¥46 per million. */
const VIDEO_CNY = ((5 * 1280 * 720 * 24) / 1024 / 1e6) * 46;

const cost = (r: CallToolResult) => (r.structuredContent as { cost?: Record<string, unknown> }).cost;

function pricesFile(prices: unknown): string {
  const path = join(tempDir("aigc-prices-"), "prices.json");
  writeFileSync(path, JSON.stringify(prices));
  return path;
}

/** Holds every reservation write of the output folder's spend ledger until `open()`. */
function holdReservations() {
  let open!: () => void;
  const held = new Promise<void>((r) => (open = r));
  const reserve = Object.getOwnPropertyDescriptor(FileSpendLedger.prototype, "reserve")!.value as FileSpendLedger["reserve"];
  const write = vi.spyOn(FileSpendLedger.prototype, "reserve").mockImplementation(async function (this: FileSpendLedger, req) {
    await held;
    return reserve.call(this, req);
  });
  return { open, write };
}

/** A Seedream call cancelled once its request reached the vendor, as get_job then shows its job. */
async function cancelledAfterSending(h: Harness): Promise<CallToolResult> {
  const m = mark(h.ark);
  const ac = new AbortController();
  const call = h.call("seedream_generate_image", { prompt: "[slow] a kite" }, { signal: ac.signal });
  while (!m.since((r) => r.method === "POST").length) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  await expect(call).rejects.toThrow();
  const [job] = (await h.call("list_jobs", {})).structuredContent!.jobs as Array<{ job_id: string }>;
  return h.call("get_job", { job_id: job!.job_id });
}

describe("the cost guard", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.close();
    h = undefined;
  });

  it("under a budget, refuses a call whose price is unknown (zero requests) unless AIGC_MCP_BUDGET_UNKNOWN_PRICE=allow", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY" } });
    const m = mark(h.ark);
    const r = await h.call("seedream_generate_image", { prompt: "a kite" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(
      /^Error: BudgetUnknownPrice \(Ark\): .*cost of this call is unknown.*\nWhat to do: Write the model's price into a JSON file and point AIGC_MCP_PRICES_FILE at it/s,
    );
    expect(m.since()).toHaveLength(0);
    await h.close();
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY", AIGC_MCP_BUDGET_UNKNOWN_PRICE: "allow" } });
    const ok = await h.call("seedream_generate_image", { prompt: "a kite" });
    expect(ok.isError).toBeFalsy();
    expect(cost(ok)).toMatchObject({ estimated: null });
    const budget = await h.call("get_budget", {});
    expect(text(budget)).toMatch(/ark: ¥0 spent, 0 priced call\(s\), 1 without a known price/);
  });

  it("the refusal of a plain Seedream call under a budget gives the prices-file entry to write, and that entry (amount filled in) prices the call", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY" } });
    const refused = text(await h.call("seedream_generate_image", { prompt: "a kite" }));
    const hint = /\nWhat to do: (.*)$/s.exec(refused)?.[1] ?? "";
    expect(hint).toContain(
      'AIGC_MCP_PRICES_FILE=/path/to/prices.json holding {"ark":[{"model":"doubao-seedream-5-0-pro-260628","currency":"CNY","unit":"image","amount":<what you pay per image>}]}',
    );
    expect(hint).toMatch(/restart the server/);
    expect(hint).toMatch(/AIGC_MCP_BUDGET_UNKNOWN_PRICE=allow/);
    // the same words under max_cost, with no budget (the example is in CNY, the currency a price defaults to)
    await h.close();
    h = await startHarness();
    expect(text(await h.call("seedream_generate_image", { prompt: "a kite", max_cost: 1 }))).toContain(
      '"unit":"image","amount":<what you pay per image>',
    );
    await h.close();
    const entry = /holding (\{.*\}\]\})/.exec(hint)![1]!.replace("<what you pay per image>", "0.3");
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY", AIGC_MCP_PRICES_FILE: pricesFile(JSON.parse(entry)) } });
    const ok = await h.call("seedream_generate_image", { prompt: "a kite" });
    expect(ok.isError).toBeFalsy();
    expect(cost(ok)).toMatchObject({ estimated: 0.3, currency: "CNY" });
  });

  it("with a prices file already in use, the refusal says to add the entry to that file (a new file would drop its prices)", async () => {
    const file = pricesFile({ ark: [{ model: "doubao-seedance-2-0-260128", currency: "CNY", unit: "million_tokens", amount: 46 }] });
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY", AIGC_MCP_PRICES_FILE: file } });
    for (const args of [{ prompt: "a kite" }, { prompt: "a kite", max_cost: 1 }]) {
      const hint = /\nWhat to do: (.*)$/s.exec(text(await h.call("seedream_generate_image", args)))?.[1] ?? "";
      expect(hint).toContain(
        `Add {"model":"doubao-seedream-5-0-pro-260628","currency":"CNY","unit":"image","amount":<what you pay per image>} to the "ark" list of your prices file ${file} (AIGC_MCP_PRICES_FILE), then restart the server`,
      );
      expect(hint).not.toMatch(/Write the model's price/);
    }
  });

  it("the entry to write names the unit the tool meters in, also for a model with no price (Kling video: second, Visual image: image)", async () => {
    h = await startHarness();
    const kling = text(await h.call("kling_text_to_video", { prompt: "a kite", model: "kling-v9-test", max_cost: 1, wait_seconds: 0 }));
    // in the currency Kling bills the sandbox's account in (its simulator stands for the global site: USD)
    expect(kling).toContain('"model":"kling-v9-test","currency":"USD"');
    expect(kling).toContain('"unit":"second","amount":<what you pay per s>');
    const visual = text(await h.call("jimeng_generate_image", { prompt: "a kite", model: "jimeng_t2i_v99", max_cost: 1 }));
    expect(visual).toContain('"unit":"image","amount":<what you pay per image>');
    const raw = text(await h.call("volc_visual_call", { req_key: "some_new_req_key", body: {}, max_cost: 1 }));
    expect(raw).toContain('"unit":"item","amount":<what you pay per');
  });

  it("with AIGC_MCP_BUDGET_UNKNOWN_PRICE=allow, an unpriced call still never runs once a limit is used up", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: `ark:daily:${VIDEO_CNY.toFixed(6)}CNY`, AIGC_MCP_BUDGET_UNKNOWN_PRICE: "allow" } });
    const ok = await h.call("seedance_generate_video", VIDEO);
    expect((ok.structuredContent as { status: string }).status).toBe("succeeded");
    const m = mark(h.ark);
    const r = await h.call("seedream_generate_image", { prompt: "a kite" });
    expect(text(r)).toMatch(/^Error: BudgetExceeded \(Ark\): Ark's daily budget of ¥4\.968 has ¥4\.968 spent/);
    // Not "this call's estimate of ¥0 would pass it": an unknown cost passes nothing; the limit is used up.
    expect(text(r)).toMatch(/; it is used up, and this call, whose cost is unknown \(.*\), does not run once it is, so nothing was sent/);
    expect(text(r)).not.toMatch(/estimate of ¥0/);
    expect(m.since()).toHaveLength(0);
  });

  it("says waiting does not help a call that alone costs more than the whole limit", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:1CNY" } });
    const r = await h.call("seedance_generate_video", VIDEO);
    expect(text(r)).toMatch(/^Error: BudgetExceeded .*This call alone costs more than the whole limit\./);
    expect(text(r)).toMatch(/What to do: Make a cheaper call .*waiting for the reset does not help this one/);
    expect(text(r)).not.toMatch(/Wait until it resets/);
  });

  it("estimate_cost says the budget would refuse a call held at the most it may cost, and the refusal names that most and the fix", async () => {
    // Jimeng 4.0 at ¥0.2 an image may return up to 15 (¥3): the call is held at ¥3, over a ¥1 limit.
    h = await startHarness({
      env: {
        AIGC_MCP_BUDGET: "daily:1CNY",
        AIGC_MCP_PRICES_FILE: pricesFile({ visual: [{ model: "*", currency: "CNY", unit: "image", amount: 0.2 }] }),
      },
    });
    const est = await h.call("estimate_cost", { tool: "jimeng_generate_image", arguments: { prompt: "a kite" } });
    const sc = est.structuredContent as { budget: string[]; refusal?: { code: string; message: string; hint?: string } };
    expect(sc.budget[0]).toMatch(/^daily 1 CNY: ¥1 left of ¥1 /);
    expect(sc.budget[1]).toMatch(
      /^Refused if called \(BudgetExceeded\): the daily budget \(all vendors\) of ¥1 has ¥0 spent .*; this call may cost up to ¥3, the most it can \(.*\), which would pass it, so nothing was sent\. This call alone may cost more than the whole limit\./,
    );
    expect(sc.refusal?.hint).toMatch(
      /^Set force_single: true: the call then costs exactly ¥0\.2, which the budget has left\. Otherwise, make a cheaper call/,
    );
    const m = mark(h.sandbox.visual);
    const call = text(await h.call("jimeng_generate_image", { prompt: "a kite", wait_seconds: 0 }));
    expect(call).toContain(sc.refusal!.message);
    expect(call).not.toMatch(/estimate of ¥3/);
    expect(call).toMatch(/\nWhat to do: Set force_single: true: the call then costs exactly ¥0\.2, which the budget has left\./);
    expect(m.since()).toHaveLength(0);
    // With the fix the estimate is exact, within the limit, and no refusal is foretold.
    const single = await h.call("estimate_cost", { tool: "jimeng_generate_image", arguments: { prompt: "a kite", force_single: true } });
    expect(single.structuredContent).not.toHaveProperty("refusal");
    expect(text(single)).not.toMatch(/Refused if called/);
  });

  it("estimate_cost says the budget would refuse an exact call over what is left, and an unpriced call once a limit is used up", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: `ark:daily:${VIDEO_CNY.toFixed(6)}CNY`, AIGC_MCP_BUDGET_UNKNOWN_PRICE: "allow" } });
    const refusalOf = async (tool: string, args: Record<string, unknown>) =>
      (await h!.call("estimate_cost", { tool, arguments: args })).structuredContent as { refusal?: { code: string; message: string } };
    expect(await refusalOf("seedance_generate_video", VIDEO)).not.toHaveProperty("refusal");
    expect(await refusalOf("seedream_generate_image", { prompt: "a kite" })).not.toHaveProperty("refusal");
    expect((await h.call("seedance_generate_video", VIDEO)).isError).toBeFalsy();
    const again = await refusalOf("seedance_generate_video", VIDEO);
    expect(again.refusal).toMatchObject({ code: "BudgetExceeded" });
    expect(again.refusal!.message).toMatch(/; this call's estimate of ¥4\.968 .* would pass it/);
    expect(text(await h.call("seedance_generate_video", VIDEO))).toContain(again.refusal!.message);
    const unpriced = await refusalOf("seedream_generate_image", { prompt: "a kite" });
    expect(unpriced.refusal?.message).toMatch(/; it is used up, and this call, whose cost is unknown/);
  });

  it("asks for confirmation when the cost is unknown or in a currency AIGC_MCP_CONFIRM_ABOVE gives no amount in", async () => {
    h = await startHarness({ env: { AIGC_MCP_CONFIRM_ABOVE: "100CNY" } });
    const unknown = await h.call("seedream_generate_image", { prompt: "a kite" });
    expect(text(unknown)).toMatch(/^Error: ConfirmationRequired \(Ark\): .*because its cost is unknown/);
    // No estimate to tell the user of: the hint says the cost is unknown instead.
    expect(text(unknown)).toMatch(
      /\nWhat to do: Tell the user no estimate can be given for this call \(its cost is unknown\) and get their explicit approval to run it anyway, then repeat the same call with confirm: true\./,
    );
    const usd = await h.call("kling_text_to_video", { prompt: "a kite", wait_seconds: 0 });
    expect(text(usd)).toMatch(/^Error: ConfirmationRequired \(Kling\): .*priced in USD .*gives no USD amount/);
    // A client that sends the model only structuredContent (VS Code) still tells it to ask the user first.
    expect(text(usd)).toMatch(/\nWhat to do: Tell the user the estimate and get their explicit approval, then repeat/);
    const [first, todo] = text(usd).split("\n");
    expect(todo).toMatch(/^What to do: .*approval.*confirm: true/);
    expect((usd.structuredContent as { message: string }).message).toBe(`${first}\n${todo}`);
    const cheap = await h.call("seedance_generate_video", { ...VIDEO, wait_seconds: 0 });
    expect(cheap.isError).toBeFalsy();
    // estimate_cost says so beforehand, and nothing of a call under the threshold.
    const est = await h.call("estimate_cost", { tool: "kling_text_to_video", arguments: { prompt: "a kite" } });
    const approval = (est.structuredContent as { approval?: string }).approval;
    expect(approval).toMatch(
      /^Needs the user's approval \(AIGC_MCP_CONFIRM_ABOVE 100 CNY\) because it is priced in USD .*: a client that can show forms asks the user .*ConfirmationRequired until the call is repeated with confirm: true/,
    );
    expect(text(est)).toContain(approval);
    const confirmed = await h.call("estimate_cost", { tool: "kling_text_to_video", arguments: { prompt: "a kite", confirm: true } });
    expect((confirmed.structuredContent as { approval?: string }).approval).toMatch(
      /asks the user when it is called \(confirm: true or not\); with confirm: true, any other runs it\.$/,
    );
    const under = await h.call("estimate_cost", { tool: "seedance_generate_video", arguments: VIDEO });
    expect(under.structuredContent).not.toHaveProperty("approval");
  });

  it("a call cancelled before the vendor answered says its estimate counts as spent", async () => {
    const file = pricesFile({ ark: [{ model: "doubao-seedream-5-0-pro-260628", currency: "CNY", unit: "image", amount: 1 }] });
    h = await startHarness({ env: { AIGC_MCP_PRICES_FILE: file, AIGC_MCP_BUDGET: "daily:10CNY" }, ark: { imageDelayMs: 100 } });
    const r = await cancelledAfterSending(h);
    expect(cost(r)).toMatchObject({ estimated: 1, counted_as_spent: true });
    expect(text(r)).toMatch(/Cost: ¥1 estimated .*; counted as spent: the request may have reached the vendor, which may bill it\./);
  });

  it("a chat cancelled while its answer streams counts as spent, not released (the vendor bills what it generated)", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY" } });
    const m = mark(h.sandbox.gateway);
    const ac = new AbortController();
    const progress: string[] = [];
    const call = h.call(
      "gateway_chat",
      { prompt: "[slow] a long story", max_tokens: 2000 },
      {
        signal: ac.signal,
        onprogress: (p) => void progress.push(p.message ?? ""),
      },
    );
    while (!progress.some((p) => /characters so far/.test(p))) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await expect(call).rejects.toThrow();
    expect(m.since((r) => r.method === "POST")).toHaveLength(1);
    await expect
      .poll(
        async () =>
          ((await h!.call("get_budget", {})).structuredContent as { limits: Array<{ spent: number; reserved: number }> }).limits[0],
      )
      .toMatchObject({ reserved: 0, spent: expect.any(Number) });
    const row = ((await h.call("get_budget", {})).structuredContent as { limits: Array<{ spent: number }> }).limits[0]!;
    expect(row.spent).toBeGreaterThan(0);
  });

  it("a call of unknown price cancelled before the vendor answered still says the vendor may bill it", async () => {
    h = await startHarness({ ark: { imageDelayMs: 100 } });
    const r = await cancelledAfterSending(h);
    expect(cost(r)).toMatchObject({ estimated: null, counted_as_spent: true });
    expect(text(r)).toMatch(
      /Cost: unknown.*; the request may have reached the vendor, which may bill it \(counted as a call of unknown cost\)\./,
    );
  });

  it("a repeat of a keyed call that was cancelled says that to generate again takes a new key", async () => {
    h = await startHarness({ ark: { imageDelayMs: 100 } });
    const m = mark(h.ark);
    const ac = new AbortController();
    const args = { prompt: "[slow] a kite", idempotency_key: "cancelled-key-0001" };
    const call = h.call("seedream_generate_image", args, { signal: ac.signal });
    while (!m.since((r) => r.method === "POST").length) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await expect(call).rejects.toThrow();
    const again = await h.call("seedream_generate_image", args);
    expect(text(again)).toMatch(
      /This repeats an earlier call .* That call's job was cancelled, and repeating it returns the same: to generate again, use a new idempotency_key \(this one stays taken for 24 hours/,
    );
    expect(m.since((r) => r.method === "POST")).toHaveLength(1);
  });

  it("refuses a call priced in a currency the budget has no limit in, naming the limit to add", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY" } });
    const m = mark(h.sandbox.kling);
    const r = await h.call("kling_text_to_video", { prompt: "a kite", wait_seconds: 0 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Error: BudgetCurrency \(Kling\): .*in CNY, but this call is priced in USD.*kling:daily:20USD/s);
    expect(m.since()).toHaveLength(0);
  });

  it("refuses a call its vendor's own limits cannot hold (another currency), though an overall limit is in its currency", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "kling:daily:5CNY,daily:1000USD" } });
    const m = mark(h.sandbox.kling);
    const r = await h.call("kling_text_to_video", { prompt: "a kite", wait_seconds: 0 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(
      /^Error: BudgetCurrency \(Kling\): AIGC_MCP_BUDGET limits Kling's spending in CNY, but this call is priced in USD/,
    );
    expect(m.since()).toHaveLength(0);
    // estimate_cost says so before any call, rather than showing the USD limit's headroom.
    const est = await h.call("estimate_cost", { tool: "kling_text_to_video", arguments: { prompt: "a kite" } });
    expect((est.structuredContent as { budget: string[] }).budget).toEqual([
      expect.stringMatching(
        /^Refused if called \(BudgetCurrency\): AIGC_MCP_BUDGET limits Kling's spending in CNY, but this call is priced in USD .*Add a USD limit/,
      ),
    ]);
  });

  it("estimate_cost names the refusal the call itself gets: an unknown or unbounded price before a currency mismatch", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:1USD" } });
    const refusal = async (tool: string, args: Record<string, unknown>) => {
      const est = await h!.call("estimate_cost", { tool, arguments: args });
      const sc = est.structuredContent as { budget?: string[]; refusal?: { code: string; message: string; hint?: string } };
      const line = sc.budget?.[0] ?? "";
      const call = text(await h!.call(tool, args));
      // The code a client can branch on, in its own field too, with the message the call gets.
      expect(sc.refusal?.code).toBe(/^Refused if called \((\w+)\)/.exec(line)?.[1]);
      expect(call).toContain(sc.refusal!.message);
      return { said: /^Refused if called \((\w+)\)/.exec(line)?.[1], got: /^Error: (\w+)/.exec(call)?.[1] };
    };
    expect(await refusal("gateway_chat", { prompt: "hi" })).toEqual({ said: "BudgetUnbounded", got: "BudgetUnbounded" });
    expect(await refusal("seedream_generate_image", { prompt: "a kite" })).toEqual({
      said: "BudgetUnknownPrice",
      got: "BudgetUnknownPrice",
    });
    expect(await refusal("gateway_chat", { prompt: "hi", max_tokens: 100 })).toEqual({ said: "BudgetCurrency", got: "BudgetCurrency" });
    // max_cost is checked first, by the call and by its estimate alike.
    expect(await refusal("gateway_chat", { prompt: "hi", max_cost: 1 })).toEqual({ said: "CostUnbounded", got: "CostUnbounded" });
    expect(await refusal("seedream_generate_image", { prompt: "a kite", max_cost: 1 })).toEqual({
      said: "CostUnknown",
      got: "CostUnknown",
    });
    expect(await refusal("kling_text_to_video", { prompt: "a kite", max_cost: 0.01 })).toEqual({
      said: "CostAboveMax",
      got: "CostAboveMax",
    });
  });

  it("prices a model no vendor publishes from AIGC_MCP_PRICES_FILE, and max_cost holds against it", async () => {
    const file = pricesFile({ ark: [{ model: "doubao-seedream-5-0-pro-260628", currency: "CNY", unit: "image", amount: 0.25 }] });
    h = await startHarness({ env: { AIGC_MCP_PRICES_FILE: file } });
    const est = await h.call("estimate_cost", { tool: "seedream_generate_image", arguments: { prompt: "a kite" } });
    expect(cost(est)).toMatchObject({ estimated: 0.25, currency: "CNY", price_confidence: "contract", price_source: `file://${file}` });
    expect(est.structuredContent).not.toHaveProperty("refusal");
    const m = mark(h.ark);
    const refused = await h.call("seedream_generate_image", { prompt: "a kite", max_cost: 0.2 });
    expect(text(refused)).toMatch(/^Error: CostAboveMax \(Ark\): the estimate ¥0\.25 is above max_cost 0\.2 CNY/);
    expect(m.since()).toHaveLength(0);
    const ok = await h.call("seedream_generate_image", { prompt: "a kite", max_cost: 0.25 });
    expect(ok.isError).toBeFalsy();
    // Ark reports usage.generated_images: the actual is that many images at the file's price.
    expect(cost(ok)).toMatchObject({ estimated: 0.25, actual: 0.25, actual_currency: "CNY" });
  });

  it("gives the reservation back when the vendor reports the task failed, and spends it when the task succeeds", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY" } });
    const failed = await h.call("seedance_generate_video", { ...VIDEO, prompt: "waves [fail]" });
    expect((failed.structuredContent as { status: string }).status).toBe("failed");
    expect(cost(failed)).toMatchObject({ not_billed: true });
    expect(text(failed)).toMatch(
      /Cost: not billed \(the vendor reported the task failed, cancelled or refused it\); the estimate was ¥4\.968/,
    );
    const ok = await h.call("seedance_generate_video", VIDEO);
    expect((ok.structuredContent as { status: string }).status).toBe("succeeded");
    // Settling runs right after the job's last record write.
    await new Promise((r) => setTimeout(r, 200));
    const rows = (await h.call("get_budget", {})).structuredContent as { limits: Array<{ spent: number; reserved: number }> };
    expect(rows.limits[0]!.reserved).toBe(0);
    expect(rows.limits[0]!.spent).toBeCloseTo(Number(cost(ok)!.actual ?? VIDEO_CNY), 6);
  });

  it("gives _meta.usage (what Dify adds up per result) once the job has ended, and never on an idempotent repeat", async () => {
    h = await startHarness({ ark: { queuedMs: 600, runningMs: 300 } });
    const args = { ...VIDEO, wait_seconds: 0, idempotency_key: "usage-0001" };
    const queued = await h.call("seedance_generate_video", args);
    const job_id = (queued.structuredContent as { job_id: string }).job_id;
    expect(cost(queued)).toMatchObject({ estimated: expect.any(Number) });
    expect(queued._meta?.usage).toBeUndefined();
    expect((await h.call("get_job", { job_id }))._meta?.usage).toBeUndefined();
    const done = await h.call("wait_for_job", { job_id, wait_seconds: 20 });
    expect((done.structuredContent as { status: string }).status).toBe("succeeded");
    expect(done._meta?.usage).toMatchObject({ currency: "CNY", total_price: expect.any(String) });
    const again = await h.call("seedance_generate_video", args);
    expect(text(again)).toMatch(/^This repeats an earlier call/);
    expect((again.structuredContent as { status: string }).status).toBe("succeeded");
    expect(again._meta?.usage).toBeUndefined();
  });

  it("counts a task the vendor cancelled as not billed, and gives its reservation back", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY" }, ark: { queuedMs: 10_000, runningMs: 1000 } });
    const queued = await h.call("seedance_generate_video", { ...VIDEO, wait_seconds: 0 });
    const job_id = (queued.structuredContent as { job_id: string }).job_id;
    const cancelled = await h.call("cancel_job", { job_id });
    expect(cancelled.structuredContent).toMatchObject({ status: "cancelled", cancelled: true });
    expect(cost(cancelled)).toMatchObject({ not_billed: true });
    expect(text(cancelled)).toMatch(/Cost: not billed/);
    expect(cancelled._meta?.usage).toMatchObject({ total_price: "0" });
    await new Promise((r) => setTimeout(r, 200));
    const budget = await h.call("get_budget", {});
    const rows = budget.structuredContent as { limits: Array<{ spent: number; reserved: number }>; days: unknown[] };
    expect(rows.limits[0]).toMatchObject({ spent: 0, reserved: 0 });
    // The only call was given back: no day lists Ark at ¥0 with 0 calls.
    expect(rows.days).toEqual([]);
    expect(text(budget)).toMatch(/No paid calls in the last 7 day\(s\)/);
  });

  it("without a budget, sends the vendor request without waiting for the spend ledger's write, and still records the call", async () => {
    h = await startHarness();
    const { open, write } = holdReservations();
    const m = mark(h.ark);
    const call = h.call("seedream_generate_image", { prompt: "a kite" });
    // The ledger write is held, and the request reaches the vendor all the same.
    await vi.waitFor(() => expect(m.since((r) => r.method === "POST")).toHaveLength(1), { timeout: 5000 });
    expect(write).toHaveBeenCalledTimes(1);
    open();
    expect((await call).isError).toBeFalsy();
    expect(text(await h.call("get_budget", {}))).toMatch(/ark: ¥0 spent, 0 priced call\(s\), 1 without a known price/);
  });

  it("under a budget, reserves before the vendor request (a limit may refuse it)", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY", AIGC_MCP_BUDGET_UNKNOWN_PRICE: "allow" } });
    const { open } = holdReservations();
    const m = mark(h.ark);
    const call = h.call("seedream_generate_image", { prompt: "a kite" });
    await new Promise((r) => setTimeout(r, 300));
    expect(m.since((r) => r.method === "POST")).toHaveLength(0);
    open();
    expect((await call).isError).toBeFalsy();
    expect(m.since((r) => r.method === "POST")).toHaveLength(1);
  });

  it("answers a repeated idempotency_key of a synchronous call with the first result, with no second vendor request", async () => {
    h = await startHarness();
    const m = mark(h.ark);
    const args = { prompt: "a kite", idempotency_key: "kite-0001" };
    const first = await h.call("seedream_generate_image", args);
    const again = await h.call("seedream_generate_image", { ...args, wait_seconds: 5 });
    expect(again.isError).toBeFalsy();
    expect(text(again)).toMatch(/^This repeats an earlier call with the same idempotency_key/);
    expect((again.structuredContent as { job_id: string }).job_id).toBe((first.structuredContent as { job_id: string }).job_id);
    expect(m.since((r) => r.method === "POST")).toHaveLength(1);
  });

  it("a create sent whose job record cannot be written counts as spent and keeps its key: a repeat sends nothing", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100USD" } });
    const store = h.app.jobs.store;
    const save = store.save.bind(store);
    // The store takes the record before the create, then fails (as a stalled Redis does) once the task exists.
    vi.spyOn(store, "save").mockImplementation((record) =>
      record.vendor_task_id ? Promise.reject(new Error("Command timed out")) : save(record),
    );
    const m = mark(h.sandbox.kling);
    const args = { prompt: "a kite", wait_seconds: 0, idempotency_key: "lost-record-0001" };
    const first = await h.call("kling_text_to_video", args);
    expect(text(first)).toMatch(/^Error: \w+ \(Kling\): the kling task \S+ was sent and may be billed, but the record of its job/);
    const creates = () => m.since((r) => r.method === "POST").length;
    expect(creates()).toBe(1);
    const limit = async () =>
      ((await h!.call("get_budget", {})).structuredContent as { limits: Array<{ spent: number; reserved: number }> }).limits[0]!;
    await expect.poll(limit, { timeout: 5000 }).toEqual(expect.objectContaining({ reserved: 0, spent: expect.any(Number) as number }));
    expect((await limit()).spent).toBeGreaterThan(0);
    const again = await h.call("kling_text_to_video", args);
    expect(text(again)).toMatch(/This repeats an earlier call with the same idempotency_key/);
    expect(creates()).toBe(1);
  });

  it("a record written before anything was sent, whose write failed but landed late, is removed: no job looks sent", async () => {
    h = await startHarness();
    const store = h.app.jobs.store;
    const save = store.save.bind(store);
    // The write is given up by the client, yet lands (a stalled Redis running it later).
    vi.spyOn(store, "save").mockImplementation(async (record) => {
      await save(record);
      throw new Error("Command timed out");
    });
    const m = mark(h.sandbox.kling);
    for (const [tool, args] of [
      ["kling_text_to_video", { prompt: "a kite", wait_seconds: 0 }],
      ["seedream_generate_image", { prompt: "a kite" }],
    ] as const) {
      const r = await h.call(tool, args);
      expect(text(r)).toMatch(/Command timed out/);
    }
    expect(m.since()).toHaveLength(0);
    vi.restoreAllMocks();
    await expect.poll(async () => (await store.list(10)).length, { timeout: 5000 }).toBe(0);
  });

  it("concurrent calls with one idempotency_key and wait_seconds 0 all get the first call's job: one vendor request", async () => {
    h = await startHarness();
    const m = mark(h.sandbox.gateway);
    const args = { text: "idempotent speech", idempotency_key: "speech-0001", wait_seconds: 0 };
    // A repeat used to answer at once (its wait budget was 0) that the first call was still starting its job.
    const results = await Promise.all(Array.from({ length: 4 }, () => h!.call("gateway_speech", args)));
    for (const r of results) expect(r.isError, text(r)).toBeFalsy();
    const ids = new Set(results.map((r) => (r.structuredContent as { job_id: string }).job_id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => /^This repeats an earlier call/.test(text(r)))).toHaveLength(3);
    const other = await h.call("gateway_speech", { ...args, text: "other words" });
    expect(text(other)).toMatch(/^Error: IdempotencyKeyReused: .* for another call: gateway_speech with other arguments; nothing was sent/);
    const tool = await h.call("gateway_chat", { prompt: "hi", max_tokens: 10, idempotency_key: "speech-0001" });
    expect(text(tool)).toMatch(/^Error: IdempotencyKeyReused: .* for another call: gateway_speech, and this call is gateway_chat; nothing/);
    await h.call("wait_for_job", { job_id: [...ids][0], wait_seconds: 10 });
    expect(m.since((r) => r.method === "POST")).toHaveLength(1);
  });

  it("refuses the idempotency_key of a refused call no more: a corrected retry with the key runs", async () => {
    h = await startHarness();
    const bad = await h.call("seedance_generate_video", { ...VIDEO, prompt: "[blocked] waves", idempotency_key: "video-0001" });
    expect(bad.isError).toBe(true);
    const good = await h.call("seedance_generate_video", { ...VIDEO, prompt: "[blocked] waves", idempotency_key: "video-0001" });
    // The same refused arguments run again (the refusal billed nothing), and are refused again by the vendor.
    expect(good.isError).toBe(true);
    expect(text(good)).not.toMatch(/repeats an earlier call/);
  });

  it("frees the key of a job the vendor refused unbilled: a synchronous call's, a failed task's, and a repeat waiting on one", async () => {
    h = await startHarness();
    // A synchronous call makes its job before the request (Seedream, gateway_speech): the refusal ends that job.
    const ark = mark(h.ark);
    const image = { prompt: "[blocked] a kite", idempotency_key: "image-0001" };
    const first = await h.call("seedream_generate_image", image);
    expect(text(first)).toMatch(/^Error: .*\n.*Cost: not billed/s);
    const again = await h.call("seedream_generate_image", image);
    expect(text(again)).not.toMatch(/repeats an earlier call/);
    expect(ark.since((r) => r.method === "POST")).toHaveLength(2);
    const speech = { text: "hello [fail]", idempotency_key: "speech-fail-0001" };
    const s1 = await h.call("gateway_speech", speech);
    expect(s1.isError).toBe(true);
    const s2 = await h.call("gateway_speech", speech);
    expect(text(s2)).not.toMatch(/repeats an earlier call/);
    expect(requestIdOf(s2)).not.toBe(requestIdOf(s1));
    // Concurrent repeats wait on the first call's job, then one of them runs the call again; none is answered a refusal twice.
    const both = await Promise.all([1, 2].map(() => h!.call("gateway_speech", { ...speech, idempotency_key: "speech-fail-0002" })));
    expect(both.filter((r) => /repeats an earlier call/.test(text(r)))).toHaveLength(0);
    // A task the vendor reports failed (not billed) frees its key too; one that succeeded keeps it.
    const video = { ...VIDEO, prompt: "[fail] waves", wait_seconds: 20, idempotency_key: "video-fail-0001" };
    const v1 = jobOf(await h.call("seedance_generate_video", video));
    expect(v1).toMatchObject({ status: "failed" });
    const v2 = jobOf(await h.call("seedance_generate_video", video));
    expect(v2.job_id).not.toBe(v1.job_id);
    const ok = { ...VIDEO, wait_seconds: 20, idempotency_key: "video-ok-0001" };
    const o1 = jobOf(await h.call("seedance_generate_video", ok));
    expect(jobOf(await h.call("seedance_generate_video", ok)).job_id).toBe(o1.job_id);
  });

  it("a chat without max_tokens, whose cost nothing limits, is refused under a budget or max_cost; with max_tokens the budget holds", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:0.0005CNY" } });
    const m = mark(h.sandbox.gateway);
    const open = await h.call("gateway_chat", { prompt: "say something" });
    expect(text(open)).toMatch(/^Error: BudgetUnbounded \(AI Gateway\): .*nothing limits this call's cost before it runs/);
    expect(text(open)).toMatch(/What to do: Give max_tokens/);
    const capped = await h.call("gateway_chat", { prompt: "say something", max_cost: 0.01 });
    expect(text(capped)).toMatch(/^Error: CostUnbounded \(AI Gateway\): max_cost 0.01 cannot hold this call/);
    expect(m.since()).toHaveLength(0);
    // With max_tokens each call is held at its most (13 + 48 template + 100 tokens: ¥0.0002488), so 2 of 20 fit in ¥0.0005.
    const calls = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h!.call("gateway_chat", { prompt: `say something ${i}`.slice(0, 13), max_tokens: 100 })),
    );
    expect(calls.filter((r) => !r.isError)).toHaveLength(2);
    for (const r of calls.filter((c) => c.isError)) expect(text(r)).toMatch(/^Error: BudgetExceeded/);
    const budget = (await h.call("get_budget", {})).structuredContent as { limits: Array<{ spent: number; reserved: number }> };
    expect(budget.limits[0]!.spent + budget.limits[0]!.reserved).toBeLessThanOrEqual(0.0005);
    await h.close();
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:0.0005CNY", AIGC_MCP_BUDGET_UNKNOWN_PRICE: "allow" } });
    expect((await h.call("gateway_chat", { prompt: "say something" })).isError).toBeFalsy();
  });

  it("tiny chats with max_tokens never pass a budget together: the chat template's tokens are held too", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:0.0001CNY" } });
    // Held at the prompt and output alone (¥0.0000028), 30 of them fitted, and cost ¥0.0000088 each.
    await Promise.all(Array.from({ length: 30 }, () => h!.call("gateway_chat", { prompt: "x", max_tokens: 1 })));
    const budget = (await h.call("get_budget", {})).structuredContent as { limits: Array<{ spent: number; reserved: number }> };
    expect(budget.limits[0]!.spent).toBeGreaterThan(0);
    expect(budget.limits[0]!.spent + budget.limits[0]!.reserved).toBeLessThanOrEqual(0.0001);
  });

  it("a repeat waiting on a first call that is then refused runs as the call itself, at once", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:1CNY" } });
    const m = mark(h.ark);
    const args = { ...VIDEO, idempotency_key: "refused-0001" };
    const started = Date.now();
    // Both claim the key at once: one holds it and is refused by the budget, the other waits on it.
    const [a, b] = await Promise.all([h.call("seedance_generate_video", args), h.call("seedance_generate_video", args)]);
    for (const r of [a, b]) expect(text(r)).toMatch(/^Error: BudgetExceeded/);
    // It used to wait out its wait_seconds (20 s) on a key nobody held, then say the first call was still starting.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(m.since()).toHaveLength(0);
  });
});
