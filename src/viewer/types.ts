/** The shapes the viewer reads, typed from the server's own declarations (type-only: nothing of the server is bundled). */
import type { z } from "zod";
import type { jobResultShape } from "../tools/job-result.js";

/** `structuredContent` of the media and job tools, plus the one-line `message` every job result leads with. */
export type Job = z.output<z.ZodObject<typeof jobResultShape>> & { message?: string };
export type Asset = Job["assets"][number];

/** `_meta["aigc-mcp/job"]` of a job result: when the job started and whether its vendor can cancel it. */
export interface JobMeta {
  created_at?: string;
  cancellable?: boolean;
}

/** A structuredContent that is a job (media and job tools), as opposed to chat, embeddings or model lists. */
export function asJob(sc: unknown): Job | undefined {
  if (!sc || typeof sc !== "object") return undefined;
  const o = sc as Record<string, unknown>;
  return typeof o.job_id === "string" && typeof o.status === "string" && Array.isArray(o.assets) ? (sc as Job) : undefined;
}

export function jobMeta(meta: unknown): JobMeta {
  const m = meta && typeof meta === "object" ? (meta as Record<string, unknown>)["aigc-mcp/job"] : undefined;
  return m && typeof m === "object" ? m : {};
}
