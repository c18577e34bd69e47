/**
 * The result contract shared by every media tool and job tool: a short text summary, one embedded
 * resource per asset while the inline budget lasts, a resource_link for the rest, and
 * `structuredContent` matching `jobResultShape`.
 */
import { readFile } from "node:fs/promises";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { JOB_STATUSES, TERMINAL, type Asset, type JobRecord } from "../jobs/types.js";

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
  download_url: z.string().optional().describe("plain-HTTP URL of the file, signed, valid until download_expires_at"),
  download_expires_at: z.string().optional(),
});

export const jobResultShape = {
  job_id: z.string().describe("opaque handle; pass it to get_job, wait_for_job or cancel_job from any session"),
  status: z.enum(JOB_STATUSES),
  vendor: z.string(),
  model: z.string().optional(),
  vendor_task_id: z.string().optional(),
  assets: z.array(assetSchema),
  error: z.object({ code: z.string(), message: z.string(), request_id: z.string().optional() }).optional(),
  poll_after_s: z.number().optional().describe("when to check again, for unfinished jobs"),
  detail: z.string().optional().describe("the vendor's current state in words"),
  warnings: z.array(z.string()).optional().describe("advice from the model catalog, e.g. an option the model is not documented to take"),
};

export function structuredJob(record: JobRecord): Record<string, unknown> {
  const running = !TERMINAL.has(record.status);
  return {
    job_id: record.job_id,
    status: record.status,
    vendor: record.vendor,
    ...(record.model ? { model: record.model } : {}),
    ...(record.vendor_task_id ? { vendor_task_id: record.vendor_task_id } : {}),
    assets: record.assets,
    ...(record.error ? { error: record.error } : {}),
    ...(running ? { poll_after_s: 10 } : {}),
    ...(record.detail ? { detail: record.detail } : {}),
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function describeAsset(a: RenderedAsset): string {
  const facts = [
    a.mime_type,
    formatBytes(a.bytes),
    a.width ? `${a.width}x${a.height}` : undefined,
    a.duration_s ? `${a.duration_s} s` : undefined,
    a.role,
  ]
    .filter(Boolean)
    .join(", ");
  const download = a.download_url ? `\n  download (until ${a.download_expires_at}): ${a.download_url}` : "";
  const vendorUrl = a.url ? `\n  vendor URL${a.expires_at ? ` (expires ${a.expires_at})` : ""}: ${a.url}` : "";
  return `- ${a.path ?? a.uri} (${facts})\n  resource: ${a.uri}${download}${vendorUrl}`;
}

export function summarize(record: JobRecord): string {
  const what = `${record.vendor} ${record.op} job${record.model ? ` (model ${record.model})` : ""}`;
  switch (record.status) {
    case "succeeded":
      if (!record.assets.length && record.detail)
        return `${what} succeeded with no file; the vendor's ${record.detail}\njob_id: ${record.job_id}`;
      return `${what} succeeded. ${record.assets.length} file(s) saved:\n${record.assets.map(describeAsset).join("\n")}\njob_id: ${record.job_id}`;
    case "queued":
    case "running":
      return (
        `${what} is still ${record.status}${record.detail ? ` (${record.detail})` : ""}${record.percent !== undefined ? `, ${Math.round(record.percent)}%` : ""}. ` +
        `It was not finished within this call's wait budget, which is normal for video. ` +
        `Call wait_for_job with job_id "${record.job_id}" to keep waiting (get_job checks without waiting). The job keeps running meanwhile.`
      );
    case "failed":
    case "expired":
      return `${what} ${record.status}: ${record.error ? `${record.error.code}: ${record.error.message}${record.error.request_id ? ` (request id ${record.error.request_id})` : ""}` : "no reason given"}\njob_id: ${record.job_id}`;
    case "cancelled":
      return `${what} was cancelled${record.detail ? ` (${record.detail})` : ""}.\njob_id: ${record.job_id}`;
  }
}

/** Builds the tool result; media are embedded while the budget lasts, linked after that. */
export async function renderJob(stored: JobRecord, app: AppContext, lead?: string): Promise<CallToolResult> {
  const record = await withDownloadUrls(stored, app);
  const content: CallToolResult["content"] = [{ type: "text", text: (lead ? lead + "\n" : "") + summarize(record) }];
  let budget = app.config.inlineMaxBytes;
  for (const asset of record.assets) {
    const name = asset.uri.split("/").pop() ?? asset.uri;
    const path = asset.bytes <= budget ? (asset.path ?? (await app.media.resolve(asset.uri).catch(() => undefined))) : undefined;
    if (path) {
      const data = await readFile(path).catch(() => undefined);
      if (data && data.length === asset.bytes) {
        budget -= asset.bytes;
        content.push({ type: "resource", resource: { uri: asset.uri, mimeType: asset.mime_type, blob: data.toString("base64") } });
        continue;
      }
    }
    content.push({
      type: "resource_link",
      uri: asset.download_url ?? asset.uri,
      name,
      mimeType: asset.mime_type,
      description: `${asset.role ?? asset.mime_type.split("/")[0]} saved at ${asset.path ?? asset.uri} (${formatBytes(asset.bytes)}); too large to embed in this result`,
    });
  }
  const failed = record.status === "failed" || record.status === "expired";
  return { content, structuredContent: structuredJob(record), ...(failed ? { isError: true } : {}) };
}

/**
 * The record with a fresh signed `download_url` on each asset (AIGC_MCP_PUBLIC_URL). Computed for
 * each answer and never stored: a job record outlives any one URL.
 */
async function withDownloadUrls(record: JobRecord, app: AppContext): Promise<JobRecord & { assets: RenderedAsset[] }> {
  const { links } = app;
  const { bucket } = app.media;
  if ((!links && !bucket) || !record.assets.length) return record;
  const assets = await Promise.all(
    record.assets.map(async (a) => {
      const name = decodeURIComponent(a.uri.slice(a.uri.lastIndexOf("/") + 1));
      const link = a.storage === "s3" && bucket ? await bucket.link(name) : await links?.link(name);
      return link ? { ...a, download_url: link.url, download_expires_at: link.expiresAt } : a;
    }),
  );
  return { ...record, assets };
}

type RenderedAsset = Asset & { download_url?: string; download_expires_at?: string };

/** Text for progress notifications while a caller waits on a job. */
export function progressLine(record: JobRecord): string {
  return `${record.vendor} ${record.op}: ${record.status}${record.detail ? ` (${record.detail})` : ""}`;
}
