/**
 * What a vendor's answer does to a job: an unfinished answer is recorded as progress, a success
 * counts only once every output is saved in the output folder. An output arrives as a URL to
 * download, decoded bytes, or a streamed response body (a synchronous call answered with the media
 * itself); a streamed body is one more way to deliver an output, so it has no job kind of its own.
 */
import { createHash } from "node:crypto";
import { unlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { AigcError, joinSentences, toErrorShape, vendorDisplayName } from "../errors.js";
import { log } from "../log.js";
import type { MediaStore } from "../media/store.js";
import type { Lease } from "./store.js";
import type { Tracker } from "./tracker.js";
import { TERMINAL, type Asset, type JobHandle, type PollResult, type TaskDriver, type VendorOutput } from "./types.js";
import { DOWNLOADING, FINISHED_AT_VENDOR } from "./record.js";
import { DownloadRefused } from "../net/fetch-policy.js";

/** How often a process waiting on another one's download looks at the job's record again. */
const LEASE_RECHECK_MS = 250;

export type OutputKind = TaskDriver["outputKind"];

/**
 * The file name, without extension, of output `index` (from 0) of a job:
 * `<yyyymmdd-hhmmss>-<vendor>-<op>-<sha256(job id), 8 hex>-<n>[-<role>]`, dated from the handle
 * in UTC. Users' folders and their scripts depend on these names; do not change them.
 */
export function outputStem(handle: JobHandle, jobId: string, index: number, role?: string): string {
  const stamp = new Date(handle.t * 1000).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const short = createHash("sha256").update(jobId).digest("hex").slice(0, 8);
  return `${stamp}-${handle.vd}-${handle.op}-${short}-${index + 1}${role ? `-${role.replace(/[^a-z0-9]+/gi, "_")}` : ""}`;
}

/** Saves one output of the tracked job in the output folder; frames and covers must be images. */
export function saveOutput(media: MediaStore, tr: Tracker, out: VendorOutput, index: number, kind: OutputKind): Promise<Asset> {
  const opts = {
    stem: outputStem(tr.handle, tr.record.job_id, index, out.role),
    expect: out.role === "last_frame" || out.role === "cover" ? "image" : kind,
    vendor: tr.record.vendor,
    signal: tr.signal,
    url: out.url,
    expiresAt: out.expiresAt,
    role: out.role,
  } as const;
  if (out.data) return media.saveBuffer(out.data, opts);
  if (out.stream) return media.saveStream(out.stream, opts);
  if (out.url) return media.saveFromUrl(out.url, opts);
  return Promise.reject(
    new AigcError({
      category: "bad_response",
      code: "NoOutput",
      vendor: tr.record.vendor,
      message: "an output had neither a URL nor data",
    }),
  );
}

/**
 * Records a vendor's answer on the job. A success is reported as "downloading results" until every
 * output is saved. A save that failed for a local reason (disk full, folder unwritable) leaves the
 * job unfinished and returns "retry" when every output can be fetched again (a vendor URL or bytes
 * in memory); so does one the URL fetch policy refused for a host AIGC_MCP_FETCH_ALLOW_HOSTS could
 * allow, returning "refused" (trying again changes nothing until the policy does); any other
 * failed save fails the job and names the vendor URLs that are still valid.
 * Either way no file of a half-saved job is left behind.
 *
 * Exactly one process saves a finished job's outputs: the one holding its download lease
 * (store.ts). Another one waits for that record to finish, and takes the lease over if its holder
 * stops renewing it.
 */
export async function applyResult(
  tr: Tracker,
  result: PollResult,
  kind: OutputKind,
  media: MediaStore,
  /**
   * The answer exists only in this process (a synchronous call's response): no other process can
   * save it, so there is no download lease to take and no other process's record to look at.
   */
  onlyHere = false,
): Promise<SaveOutcome> {
  if (result.status !== "succeeded") {
    // Ended so already by another process (a cancel_job on another replica): its record, detail and
    // settled cost included, is the job's; this poll only saw the same end.
    const stored = !onlyHere && TERMINAL.has(result.status) ? await tr.stored() : undefined;
    if (stored?.status === result.status) return void tr.adopt(stored);
    await tr.update({
      status: result.status,
      detail: result.detail,
      percent: result.percent,
      model: result.model,
      error: result.error,
      usage: result.usage,
      // The vendor itself says the task failed or was cancelled: vendors bill only finished work
      // (unless its answer says it billed anyway).
      notBilled: (result.status === "failed" || result.status === "cancelled") && !result.billed ? true : undefined,
    });
    return;
  }
  const lease = onlyHere ? "none" : await downloadLease(tr);
  if (!lease) return;
  try {
    return await saveAll(tr, result, kind, media, onlyHere);
  } finally {
    if (lease !== "none") await lease.release();
  }
}

/** The download lease, once this process has it and the job is still unfinished; undefined when another process finished it. */
async function downloadLease(tr: Tracker): Promise<Lease | "none" | undefined> {
  for (;;) {
    const lease = await tr.claimDownload();
    if (lease) {
      // The holder before us may have finished between our look and our claim.
      const fresh = lease === "none" ? undefined : await tr.stored();
      if (lease === "none" || !fresh || !TERMINAL.has(fresh.status)) return lease;
      await lease.release();
      return void tr.adopt(fresh);
    }
    const fresh = await tr.stored();
    if (fresh && TERMINAL.has(fresh.status)) return void tr.adopt(fresh);
    if (tr.record.detail !== "another server process is saving the results")
      tr.adopt({ ...tr.record, status: "running", detail: "another server process is saving the results" });
    await sleep(LEASE_RECHECK_MS, undefined, { signal: tr.signal }).catch(() => undefined);
    if (tr.signal.aborted) return;
  }
}

/** Why the outputs of a finished job are not saved yet (outputs.ts applyResult); undefined once the job has its record. */
export type SaveOutcome = "retry" | "refused" | undefined;

async function saveAll(tr: Tracker, result: PollResult, kind: OutputKind, media: MediaStore, onlyHere: boolean): Promise<SaveOutcome> {
  // Progress only (the record already says where the job is): shown at once, written only when the
  // download outlasts Tracker.note's delay; the final record carries the same fields.
  // No percent: the generation's last one stands (a 100% would read as done while a long download runs).
  tr.note({ status: "running", detail: DOWNLOADING, model: result.model, usage: result.usage });
  return saveOutputs(tr, result, kind, media, onlyHere);
}

async function saveOutputs(tr: Tracker, result: PollResult, kind: OutputKind, media: MediaStore, onlyHere: boolean): Promise<SaveOutcome> {
  const outputs = result.outputs ?? [];
  const assets: Asset[] = [];
  try {
    for (const [i, out] of outputs.entries()) assets.push(await saveOutput(media, tr, out, i, kind));
  } catch (err) {
    await Promise.all(assets.flatMap((a) => (a.path ? [unlink(a.path).catch(() => undefined)] : [])));
    if (tr.signal.aborted) return;
    if (err instanceof AigcError && err.category === "local" && outputs.every((o) => o.url || o.data)) {
      log.warn("saving a job's output failed on the local disk; it is retried", { vendor: tr.record.vendor, error: err.message });
      await tr.update({
        status: "running",
        detail: joinSentences(
          `${FINISHED_AT_VENDOR} ${err.message}`,
          "Free space or fix the folder; wait_for_job and get_job retry the download while the vendor still holds the output",
        ),
      });
      return "retry";
    }
    const host = allowableHost(err);
    if (host && outputs.every((o) => o.url || o.data) && outputs.every((o) => !(Date.parse(o.expiresAt ?? "") <= Date.now())))
      return waitForPolicy(tr, host, outputs, onlyHere);
    const urls = outputs.map((o) => o.url).filter(Boolean);
    const shape = toErrorShape(err);
    if (urls.length) shape.message = joinSentences(shape.message, `Vendor URL(s), valid for a limited time: ${urls.join(" ")}`);
    // The vendor finished (and billed) the work; only saving it here failed.
    await tr.update({ status: "failed", error: shape, errorCause: err, notBilled: false });
    return;
  }
  if (!assets.length && result.data === undefined) {
    await tr.update({
      status: "failed",
      error: { code: "NoOutput", message: `${vendorDisplayName(tr.record.vendor)} reported success but returned no output` },
    });
    return;
  }
  await tr.update({ status: "succeeded", percent: 100, assets, detail: assets.length ? undefined : `result: ${result.data}` });
}

/** The host of a download the fetch policy refused only for not being public (AIGC_MCP_FETCH_ALLOW_HOSTS may list it). */
function allowableHost(err: unknown): string | undefined {
  const cause = err instanceof AigcError ? err.cause : undefined;
  return cause instanceof DownloadRefused ? cause.allowableHost : undefined;
}

/**
 * A billed job whose output the fetch policy refused, while the vendor URL still works: left
 * unfinished (the vendor is never asked to generate it again), naming the host, the variable and
 * the vendor URLs, so a server allowed to fetch there downloads it at the next wait_for_job.
 */
async function waitForPolicy(tr: Tracker, host: string, outputs: VendorOutput[], onlyHere: boolean): Promise<"refused"> {
  log.warn("the URL fetch policy refused a finished job's output; it waits for the host to be allowed", { vendor: tr.record.vendor, host });
  const urls = outputs.flatMap((o) => (o.url ? [o.url] : []));
  await tr.update({
    status: "running",
    detail: joinSentences(
      `${FINISHED_AT_VENDOR} this server's URL fetch policy refused to download its output: ${host} is not a public address`,
      `If ${host} is to be trusted, add it to AIGC_MCP_FETCH_ALLOW_HOSTS (a restart takes it), then call wait_for_job with this job_id: it downloads the output while the vendor URL lasts, without a second vendor request`,
      onlyHere
        ? "This synchronous call's answer is held only by this server process: if it must restart for that, download the output from the vendor URL below instead"
        : undefined,
      `Vendor URL(s), valid for a limited time: ${urls.join(" ")}`,
    ),
  });
  return "refused";
}
