/**
 * A repeated `idempotency_key` (issue 14 item 7): the same call within 24 hours gets the original
 * job (waited on like wait_for_job) or the original result, and no new vendor request; the same key
 * with other arguments is refused. A first call still starting its job is waited for whatever the
 * repeat's wait_seconds (the first call itself waits for its create, so both answer about together),
 * up to the longer of the repeat's wait budget and one vendor request's timeout (the create's own
 * bound); the job is then rendered under what is left of the repeat's budget.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { IdempotencyKeys, KeyEntry } from "../cost/ledger.js";
import type { JobStore } from "../jobs/store.js";
import { TERMINAL, type JobStatus } from "../jobs/types.js";
import { AigcError } from "../errors.js";
import type { ToolContext } from "./define.js";
import type { WaitBudget } from "../jobs/budget.js";
import { renderJob } from "./job-result.js";
import { waitOnJob } from "./jobs.js";

/** Claims this process gave up after their write failed (the newest 1 000): a late-landing one is not waited for. */
const givenUp = new Set<string>();

/**
 * Claims `key` for a new call (IdempotencyKeys.claim). A claim whose write failed may still land
 * (a Redis that stalled runs the queued command after the client gave up): it is given up in the
 * background, and a repeat in this process that finds it anyway removes it (replayKey) rather than
 * wait for a call that never ran. Throws the store's error.
 */
export async function claimKey(
  store: JobStore,
  key: string,
  entry: Parameters<IdempotencyKeys["claim"]>[1],
): ReturnType<IdempotencyKeys["claim"]> {
  try {
    return await store.keys.claim(key, entry);
  } catch (err) {
    givenUp.add(entry.claim);
    if (givenUp.size > 1000) givenUp.delete(givenUp.values().next().value!);
    void store.keys.forget(key, entry.claim).catch(() => undefined);
    throw err;
  }
}

const REPEAT = "This repeats an earlier call with the same idempotency_key: its result is returned and nothing new was sent or billed.";
const POLL_MS = 200;

/**
 * The first call's outcome for a repeat of it: its job waited on, or its stored result. Undefined
 * when the first call let the key go while this waited (it was refused, and nothing was billed), or
 * its job failed unbilled (the key is then let go here): the repeat is then a call of its own, and
 * claims the key again. Throws for other arguments, a
 * first call whose process died, or a first call still starting past both `budget` and the vendor
 * request timeout (AIGC_MCP_VENDOR_TIMEOUT_S).
 */
export async function replayKey(
  ctx: ToolContext,
  key: string,
  first: KeyEntry,
  call: { tool: string; fingerprint: string },
  budget: WaitBudget,
): Promise<CallToolResult | undefined> {
  if (first.fingerprint !== call.fingerprint)
    throw new AigcError({
      category: "invalid_input",
      code: "IdempotencyKeyReused",
      message: `idempotency_key "${key.slice(0, 64)}" was used in the last 24 hours for another call: ${first.tool === call.tool ? `${call.tool} with other arguments` : `${first.tool}, and this call is ${call.tool}`}; nothing was sent`,
      hint: "Use a new idempotency_key for a new generation; repeat a call with exactly its first arguments to get its result.",
    });
  const store = ctx.app.jobs.store;
  // A wait_seconds of 0 still waits for the create: that bound is one vendor request's timeout.
  const startingBy = Math.max(budget.deadlineMs, Date.now() + ctx.app.config.vendorTimeoutMs);
  let entry = first;
  while (entry.state === "pending") {
    const mine = entry.owner.pid === store.owner().pid && entry.owner.boot === store.owner().boot;
    if (mine && entry.claim && givenUp.has(entry.claim)) {
      await store.keys.forget(key, entry.claim);
      return undefined;
    }
    if (!mine && !(await store.ownerAlive(entry.owner)))
      throw new AigcError({
        category: "vendor",
        code: "IdempotencyKeyInterrupted",
        message: `the first call with idempotency_key "${key.slice(0, 64)}" was interrupted (its server process stopped) before it had a job; it may or may not have reached the vendor, and nothing was sent again`,
        hint: "Look for its job with list_jobs and check the vendor console; to generate anyway, use a new idempotency_key.",
      });
    const left = startingBy - Date.now();
    if (left <= 0 || ctx.signal.aborted)
      throw new AigcError({
        category: "rate_limit",
        code: "IdempotencyKeyInProgress",
        message: `the first call with idempotency_key "${key.slice(0, 64)}" is still starting its job; nothing new was sent`,
        hint: "Its create request is still waiting on the vendor: repeat the same call (same key) later to get its job, or find it with list_jobs.",
      });
    await sleep(Math.min(POLL_MS, left), undefined, { signal: ctx.signal }).catch(() => undefined);
    const now = await store.keys.get(key);
    if (!now) return undefined;
    entry = now;
  }
  if (!entry.job_id) {
    const result = JSON.parse(entry.result ?? "{}") as CallToolResult;
    return noted({ ...result, content: result.content ?? [] });
  }
  const { record, waited } = await waitOnJob(ctx, entry.job_id, budget);
  // Its job failed and was not billed (the vendor refused the request): the key is free again, as for a
  // refusal before any job, and this repeat runs as the call with that key.
  if (record.status === "failed" && record.cost?.settled === "released") {
    await store.keys.forgetJob(key, entry.job_id);
    return undefined;
  }
  const result = await renderJob(record, ctx.app, ctx.delivery, { waited });
  return noted({ ...result, content: result.content ?? [] }, record.status);
}

/**
 * Says the result is a repeat: first in the text, or after the "Error:" line of a failure; without
 * `_meta.usage`, as it billed nothing. A repeat of a job that ended without its output (`status`)
 * says that repeating it changes nothing, and how to generate again.
 */
function noted(result: CallToolResult, status?: JobStatus): CallToolResult {
  const says =
    status && TERMINAL.has(status) && status !== "succeeded"
      ? `${REPEAT} That call's job was ${status}, and repeating it returns the same: to generate again, use a new idempotency_key (this one stays taken for 24 hours, as the first call may have been billed).`
      : REPEAT;
  if (result._meta?.usage) {
    const { usage: _billedBefore, ...meta } = result._meta;
    result = { ...result, _meta: meta };
  }
  const text = result.content.find((b) => b.type === "text");
  if (text?.type !== "text") return { ...result, content: [{ type: "text", text: says }, ...result.content] };
  const [head, ...rest] = text.text.split("\n");
  text.text = result.isError ? [head, says, ...rest].join("\n") : `${says}\n${text.text}`;
  return result;
}
