/**
 * Paging through jobs, newest first, for list_jobs and tasks/list: ordered by creation time, then
 * job id, which never change, and resumed after the last job a page gave rather than at a count.
 * So a job started, or one that moves on, between two pages is never listed twice nor skipped
 * (an offset into a list ordered by anything that changes does both).
 */
import { createHash } from "node:crypto";
import type { JobRecord } from "./types.js";

/** Where a page ended: the creation time and the id key (idKey) of the last job it gave. */
export interface JobsPlace {
  c: string;
  j: string;
}

/** A job id short enough for a cursor, as itself; a longer one (ids from before they were bounded reach megabytes) as its digest. */
function idKey(jobId: string): string {
  return jobId.length <= 200 ? jobId : `#${createHash("sha256").update(jobId).digest("base64url")}`;
}

/** Newest first: later creation time, then (for jobs created in the same instant) the larger id key. */
function compare(a: JobsPlace, b: JobsPlace): number {
  return b.c.localeCompare(a.c) || (b.j < a.j ? -1 : b.j > a.j ? 1 : 0);
}

/** `records` in that order, from the one after `place` on (all of them without a place). */
export function jobsAfter(records: readonly JobRecord[], place?: JobsPlace): JobRecord[] {
  const keyed = records.map((r) => ({ r, at: placeOf(r) })).sort((x, y) => compare(x.at, y.at));
  return (place ? keyed.filter((x) => compare(place, x.at) < 0) : keyed).map((x) => x.r);
}

export function placeOf(r: JobRecord): JobsPlace {
  return { c: r.created_at, j: idKey(r.job_id) };
}

/** A cursor as list_jobs and tasks/list give it: the place (and any filter) as base64url JSON. */
export function cursorText(value: JobsPlace & { s?: string }): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** What a cursor holds, or undefined when it is not base64url JSON of an object. */
export function cursorValue(cursor: string): (Partial<JobsPlace> & Record<string, unknown>) | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A place read back from a cursor's JSON, or undefined when it is not one. */
export function asPlace(value: unknown): JobsPlace | undefined {
  const v = value as Partial<JobsPlace> | null;
  return v && typeof v === "object" && typeof v.c === "string" && typeof v.j === "string" ? { c: v.c, j: v.j } : undefined;
}
