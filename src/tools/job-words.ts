/**
 * The words of a job result: its text summary, the one-line `message` that leads
 * `structuredContent`, and the progress lines sent while a caller waits.
 */
import type { JobRecord } from "../jobs/types.js";
import { DRAINED_DETAIL, SANDBOX_DRAINED_DETAIL } from "../jobs/wait.js";
import { notAsSavedWords, stateWords } from "../media/file-state-words.js";
import { clip } from "../log.js";
import { vendorDisplayName } from "../errors.js";
import { formatBytes, lost, type RenderedAsset } from "./delivery.js";

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
  // The media:// URI of an output nothing serves as generated answers "not found": not offered.
  const resource = lost(a) ? "" : `\n  resource: ${a.uri}`;
  const notInBucket = a.storage_error
    ? `\n  ${NOT_IN_BUCKET} (only in the output folder of the server that saved it): ${a.storage_error}`
    : "";
  return `- ${a.path ?? a.uri} (${facts})${resource}${download}${vendorUrl}${notInBucket}${a.file ? `\n  ${notAsSavedWords(a, a.file, "the vendor URL above").text}` : ""}`;
}

const NOT_IN_BUCKET = "not copied to the bucket";

/** Short marks for a file not where it was meant to be or no longer as saved (the message, list_jobs). */
export function assetMarks(a: RenderedAsset): string[] {
  return [a.storage_error ? NOT_IN_BUCKET : undefined, a.file && stateWords(a, a.file).since].filter((m) => m !== undefined);
}

function savedCount(assets: RenderedAsset[]): string {
  const counts = new Map<string, number>();
  for (const mark of assets.flatMap(assetMarks)) counts.set(mark, (counts.get(mark) ?? 0) + 1);
  const since = [...counts].map(([words, n]) => `${n} ${words}`);
  return `${assets.length} file(s) saved${since.length ? ` (${since.join(", ")})` : ""}`;
}

/**
 * `waited`: whether this call waited for the job (a generation, wait_for_job), not only looked (get_job, cancel_job).
 * `stopped`: this server stopped driving the unfinished job short of an end (its detail says why), so waiting on it changes nothing.
 */
export function summarize(record: JobRecord, waited = true, stopped = false): string {
  const what = `${record.vendor} ${record.op} job${record.model ? ` (model ${record.model})` : ""}`;
  switch (record.status) {
    case "succeeded":
      if (!record.assets.length && record.detail)
        return `${what} succeeded with no file; the vendor's ${record.detail}\njob_id: ${record.job_id}`;
      return `${what} succeeded. ${savedCount(record.assets)}:\n${record.assets.map(describeAsset).join("\n")}\njob_id: ${record.job_id}`;
    case "submitting":
      // The detail, when set, is what is happening now (a lost answer being looked up): it replaces "has not answered".
      return record.detail
        ? `${what} is submitting: ${record.detail}. Do not generate again (that would bill twice): call wait_for_job with job_id "${record.job_id}" for the outcome.`
        : `${what} is submitting: the create request was sent and the vendor has not answered within this call's wait budget. ` +
            `Do not generate again (that would bill twice): call wait_for_job with job_id "${record.job_id}"; it picks up the task once the vendor answers.`;
    case "queued":
    case "running":
      if (stopped)
        return (
          `${what} is still ${record.status}${detailInParens(record)}. This server stopped following it short of an end${record.detail ? " for the reason above" : ""}, ` +
          `so waiting on it here changes nothing until that is dealt with; then call wait_for_job with job_id "${record.job_id}", which asks the vendor again at once. The job itself is kept.`
        );
      // A wait a shutdown ended says so in the detail: not the budget, and with --sandbox nothing will finish the job.
      if (record.detail === SANDBOX_DRAINED_DETAIL)
        return `${what} is still ${record.status}${detailInParens(record)}. Nothing will finish it: once a server is running again, generate again.\njob_id: ${record.job_id}`;
      return (
        `${what} is still ${record.status}${detailInParens(record)}${record.percent !== undefined ? `, ${Math.round(record.percent)}%` : ""}. ` +
        (waited && record.detail !== DRAINED_DETAIL
          ? `It was not finished within this call's wait budget${record.op === "video" ? ", which is normal for video" : ""}. `
          : "") +
        `Call wait_for_job with job_id "${record.job_id}" to ${waited ? "keep waiting" : "wait for it"} (get_job checks without waiting). The end of this call does not stop the job.`
      );
    case "failed":
    case "expired":
      return `${what} ${record.status}; nothing was saved.\njob_id: ${record.job_id}`;
    case "cancelled":
      return `${what} was cancelled${detailInParens(record)}.\njob_id: ${record.job_id}`;
  }
}

/** The one-line status and next step that leads structuredContent (issue 12 (b)): clients that show only the JSON still say what to do. */
export function jobMessage(record: JobRecord, waited = true, stopped = false): string {
  const line = (t: string) => clip(t, 300).replace(/\s*\n\s*/g, " ");
  switch (record.status) {
    case "succeeded":
      return line(
        record.assets.length
          ? // Several files: what became of them leads, so cutting the line at 300 characters (long URLs) cannot hide it.
            `succeeded: ${record.assets.length > 1 ? savedCount(record.assets) : "1 file(s) saved"}: ${record.assets.map(messageFile).join(", ")}`
          : `succeeded with no file${record.detail ? `: ${record.detail}` : ""}`,
      );
    case "submitting":
      return line(
        `submitting: ${record.detail ?? "the vendor has not answered the create yet"}; do not generate again (it would bill twice): call wait_for_job with job_id "${record.job_id}"`,
      );
    case "queued":
    case "running":
      if (stopped)
        return `${record.status}: stopped short of an end on this server (detail says why); once that is dealt with, call wait_for_job with job_id "${record.job_id}"`;
      if (record.detail === SANDBOX_DRAINED_DETAIL)
        return `${record.status}: this --sandbox server is shutting down and nothing will finish the job`;
      return `${record.status}: call wait_for_job with job_id "${record.job_id}" to ${waited ? "keep waiting" : "wait for it"}`;
    case "failed":
    case "expired":
      return line(`Error: ${failureLine(record)}`);
    case "cancelled":
      return "cancelled: nothing more to do; start a new job to try again";
  }
}

function messageFile(a: RenderedAsset): string {
  const marks = assetMarks(a);
  // A file no longer as saved is named by its path: "since changed" is about that file, not the bucket's copy.
  const shown = a.file ? (a.path ?? a.uri) : (a.download_url ?? a.path ?? a.uri);
  return marks.length ? `${shown} (${marks.join(", ")})` : shown;
}

export function failureLine(record: JobRecord): string {
  const e = record.error;
  if (!e) return `JobFailed (${vendorDisplayName(record.vendor)}): the job ${record.status} with no reason given`;
  const facts = [
    vendorDisplayName(record.vendor),
    e.http_status ? `HTTP ${e.http_status}` : undefined,
    e.request_id && `request id ${e.request_id}`,
  ];
  // The same first line as a failure that made no job (describeError): "<code> (<Vendor>, HTTP <status>, request id <id>): …".
  return `${e.code} (${facts.filter(Boolean).join(", ")}): ${e.message}`;
}

/**
 * What to do about a failed or expired job: the vendor error's own hint, else what follows from the
 * status alone, so that every failure says what to change.
 */
export function failureAdvice(record: JobRecord): string {
  if (record.error?.hint) return record.error.hint;
  return record.status === "expired"
    ? "Nothing more will come from this task: call the tool again to generate it anew."
    : "The vendor's message says why the task failed: change what it names (the prompt, an input file or a parameter), or try another model, and call the tool again.";
}

/** Text for progress notifications while a caller waits on a job. */
export function progressLine(record: JobRecord): string {
  return `${record.vendor} ${record.op}: ${record.status}${detailInParens(record)}`;
}

/** " (the vendor's detail)" without its closing full stop, which the sentence around it supplies; "" without one. */
function detailInParens(record: JobRecord): string {
  return record.detail ? ` (${record.detail.replace(/\.+$/, "")})` : "";
}
