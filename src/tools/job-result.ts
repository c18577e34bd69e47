/**
 * The result contract shared by every media tool and job tool: a short text summary, the assets as
 * the delivery mode says (delivery.ts), and `structuredContent` matching `jobResultShape` plus a
 * one-line `message`.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { DeliveryMode } from "../config.js";
import type { AppContext } from "../context.js";
import { JOB_STATUSES, TERMINAL, type Asset, type JobRecord } from "../jobs/types.js";
import { fileState } from "../media/file-state.js";
import { mediaName } from "../media/media-uri.js";
import type { MediaStore } from "../media/store.js";
import { previewOf } from "../media/preview.js";
import { assetBlocks, lost, type RenderedAsset } from "./delivery.js";
import { costLine, costSchema, jobCostView, usageMeta } from "./cost-output.js";
import { failureAdvice, failureLine, jobMessage, summarize } from "./job-words.js";

/** A job as one answer shows it: each asset with its download URL and what became of its file (never stored). */
export type JobView = Omit<JobRecord, "assets"> & { assets: RenderedAsset[] };

export const assetSchema = z.object({
  uri: z.string().describe("media:// URI; read it with resources/read"),
  mime_type: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  path: z.string().optional().describe("absolute path of the file in the output folder"),
  url: z.string().optional().describe("the vendor's URL for this output"),
  expires_at: z.string().optional().describe("when the vendor URL stops working"),
  width: z.number().optional(),
  height: z.number().optional(),
  duration_s: z.number().optional(),
  role: z.string().optional().describe("what the asset is when a job has several kinds of output, e.g. last_frame"),
  storage: z.enum(["s3"]).optional().describe("s3 when the file is also in the configured bucket"),
  storage_error: z
    .string()
    .optional()
    .describe(
      "why the file is not in the configured bucket (its upload failed or was skipped); it is only in the output folder of the server that saved it",
    ),
  download_url: z.string().optional().describe("plain-HTTP URL of the file, signed, valid until download_expires_at"),
  download_expires_at: z.string().optional(),
  file: z
    .enum(["missing", "changed", "elsewhere"])
    .optional()
    .describe(
      "set when the output is not as saved: missing (removed since: from path, or with no path from the bucket), changed (the file at path is no longer the size generated) or elsewhere (only in a bucket this server does not use)",
    ),
});

export const jobResultShape = {
  job_id: z.string().describe("opaque handle; pass it to get_job, wait_for_job or cancel_job from any session"),
  status: z.enum(JOB_STATUSES),
  vendor: z.string(),
  model: z.string().optional(),
  vendor_task_id: z.string().optional(),
  assets: z.array(assetSchema),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      request_id: z.string().optional(),
      http_status: z.number().optional(),
      hint: z.string().optional().describe("what to do"),
    })
    .optional(),
  poll_after_s: z.number().optional().describe("when to check again, for unfinished jobs"),
  detail: z.string().optional().describe("the vendor's current state in words"),
  warnings: z.array(z.string()).optional().describe("advice from the model catalog, e.g. an option the model is not documented to take"),
  cost: costSchema.optional(),
};

function failedOrExpired(record: JobRecord): boolean {
  return record.status === "failed" || record.status === "expired";
}

export function structuredJob(record: JobView): Record<string, unknown> {
  const running = !TERMINAL.has(record.status);
  return {
    job_id: record.job_id,
    status: record.status,
    vendor: record.vendor,
    ...(record.model ? { model: record.model } : {}),
    ...(record.vendor_task_id ? { vendor_task_id: record.vendor_task_id } : {}),
    assets: record.assets.map(({ maybeElsewhere: _words, ...a }) => a),
    ...(record.error ? { error: failedOrExpired(record) ? { ...record.error, hint: failureAdvice(record) } : record.error } : {}),
    ...(running ? { poll_after_s: 10 } : {}),
    ...(record.detail ? { detail: record.detail } : {}),
    ...(record.cost ? { cost: jobCostView(record.cost, record.status) } : {}),
  };
}

/** How long a result waits for a bucket copy it would embed or preview; past it the asset is linked instead. */
const BUCKET_READ_MS = 10_000;
/** How long a result waits for the late upload of an output whose first upload failed (late-uploads.ts). */
const LATE_UPLOAD_WAIT_MS = 3000;

/**
 * What the call did: `lead`, a line before the summary (a cancel's outcome); `waited` and `stopped` as in
 * summarize; `failureIsError` false when a failed job is not this call's failure (a cancel: the
 * result is then no error, and says how the job ended after the lead instead of as its "Error:" line).
 */
type Said = { lead?: string; waited?: boolean; failureIsError?: boolean; stopped?: boolean };

/**
 * Builds the tool result in the given delivery mode (see delivery.ts). A failed job's text starts
 * with "Error:" and the vendor code, for clients that ignore isError (Dify).
 */
export async function renderJob(shown: JobRecord, app: AppContext, delivery: DeliveryMode, said: Said = {}): Promise<CallToolResult> {
  const { lead, waited = true, failureIsError = true, stopped = false } = said;
  const stored = await app.uploads.settle(shown, LATE_UPLOAD_WAIT_MS);
  const record = await withDownloadUrls(await withFileStates(stored, app.media), app);
  const ended = failedOrExpired(record);
  const failed = ended && failureIsError;
  // A file not in this server's folder as saved (withFileStates) is read back from the bucket through the store.
  const localPath = async (a: RenderedAsset) =>
    a.path && !a.file && (await app.media.savedHere(a.path))
      ? a.path
      : app.media.resolve(a.uri, { signal: AbortSignal.timeout(BUCKET_READ_MS), failFast: true }).then(
          (r) => r.path,
          () => undefined,
        );
  const preview = (a: Asset, source: () => Promise<string | undefined>) => previewOf(app.media.dir, a, source);
  const held = (a: Asset) => app.media.fresh.take(a);
  const { blocks, notes } = await assetBlocks(record.assets, delivery, app.config.inlineMaxBytes, localPath, preview, held);
  const cost = jobCostView(record.cost, record.status);
  const hint = failed ? `What to do: ${failureAdvice(record)}` : undefined;
  const text = [
    failed ? `Error: ${failureLine(record)}` : undefined,
    hint,
    lead,
    ended && !failed ? `The job ${record.status}: ${failureLine(record)}` : undefined,
    summarize(record, waited, stopped),
    cost && costLine(cost, record.cost?.made),
    ...notes,
  ]
    .filter(Boolean)
    .join("\n");
  const content: CallToolResult["content"] = [{ type: "text", text }, ...blocks];
  // Only once the job has ended: a client that sums usage per result (Dify) would count a running job at every look.
  const usage = TERMINAL.has(record.status) && cost && usageMeta(cost, record.usage);
  const meta = { ...(usage ? { usage } : {}), ...(app.config.apps ? { [VIEW_META_KEY]: viewFacts(record, app) } : {}) };
  return {
    content,
    structuredContent: { message: jobMessage(record, waited, stopped), ...structuredJob(record) },
    ...(failed ? { isError: true } : {}),
    ...(Object.keys(meta).length ? { _meta: meta } : {}),
  };
}

/** Result `_meta` key of what only the viewer needs; the model's text and structuredContent stay as they were. */
export const VIEW_META_KEY = "aigc-mcp/job";

/** For the viewer's progress card: when the job started (its elapsed time) and whether it offers Cancel. */
function viewFacts(record: JobRecord, app: AppContext): { created_at: string; cancellable: boolean } {
  return { created_at: record.created_at, cancellable: app.jobs.canCancel(record.job_id) };
}

/**
 * The record with each local file's state now (`file`: removed or changed since it was saved), one
 * lstat per file. A view for this answer, never stored: the record says what was generated. With no
 * bucket configured (`bucket` undefined), a bucket the record names is not this server's to read: its
 * `storage` is left out, and an output kept only there is `elsewhere`; one the bucket no longer holds
 * (a lifecycle rule or a person deleted it: `Bucket.holds`) is `missing`.
 */
export async function withFileStates(
  record: JobRecord,
  media: Pick<MediaStore, "bucket" | "savedHere" | "sharedRecords">,
): Promise<JobView> {
  if (!record.assets.some((a) => a.path || a.storage === "s3")) return record;
  const { bucket } = media;
  const assets = await Promise.all(
    record.assets.map(async (stored) => {
      const inBucket = stored.storage === "s3" && !!bucket && (await bucket.holds(mediaName(stored.uri)));
      // With no bucket configured now, a record's bucket and its upload error are not this server's to speak of.
      const a: Asset = inBucket ? stored : withoutStorage(stored, !bucket);
      if (!a.path) return stored.storage === "s3" && !inBucket ? { ...a, file: bucket ? ("missing" as const) : ("elsewhere" as const) } : a;
      if (a.storage_error && !(await media.savedHere(a.path))) return a; // in another server's folder, which uploads it later
      const file = await fileState(a);
      // In the bucket as generated, and not in this server's folder: another replica saved it (each
      // has a folder of its own) or it was deleted on purpose. Shown as the bucket's, like one saved
      // with AIGC_MCP_KEEP_LOCAL=false, and read back from there.
      if (file === "missing" && a.storage === "s3") return withoutPath(a);
      // Records shared (Redis) and no bucket: the file may be in another replica's folder, not removed.
      if (file === "missing" && media.sharedRecords && !bucket) return { ...a, file, maybeElsewhere: true as const };
      return file ? { ...a, file } : a;
    }),
  );
  return { ...record, assets };
}

function withoutStorage({ storage: _storage, storage_error, ...rest }: Asset, noBucket: boolean): Asset {
  return storage_error && !noBucket ? { ...rest, storage_error } : rest;
}

function withoutPath<A extends Asset>({ path: _path, ...rest }: A): Omit<A, "path"> {
  return rest;
}

/**
 * The record with a fresh signed `download_url` on each asset (AIGC_MCP_PUBLIC_URL). Computed for
 * each answer and never stored: a job record outlives any one URL. A file removed since it was
 * saved gets none: the URL would only answer "not found".
 */
async function withDownloadUrls(record: JobView, app: AppContext): Promise<JobView> {
  const { links } = app;
  const { bucket } = app.media;
  if ((!links && !bucket) || !record.assets.length) return record;
  const assets = await Promise.all(
    record.assets.map(async (a) => {
      const name = mediaName(a.uri);
      // No link to an output nothing here serves as generated (a changed one the bucket keeps gets the bucket's).
      if (lost(a) || (a.storage !== "s3" && a.path && !(await app.media.savedHere(a.path)))) return a;
      const link = a.storage === "s3" && bucket ? await bucket.link(name) : await links?.link(name);
      return link ? { ...a, download_url: link.url, download_expires_at: link.expiresAt } : a;
    }),
  );
  return { ...record, assets };
}
