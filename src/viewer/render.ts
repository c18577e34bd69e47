/// <reference lib="dom" />
/**
 * What the viewer shows for a job result: a gallery and players for a finished job, a progress card
 * for a running one, the error for a failed one. Every string from the result goes in as text.
 */
import { notAsSavedWords, type FileState } from "../media/file-state-words.js";
import { h, type Child } from "./dom.js";
import { formatBytes, formatCost, formatDuration, formatElapsed, isWebUrl, TERMINAL_STATUSES } from "./format.js";
import type { MediaView } from "./media.js";
import type { Asset, Job } from "./types.js";

export interface RenderContext {
  media: MediaView;
  /** When the job started (ms since the epoch). */
  startedAt: number;
  cancellable: boolean;
  /** The prompt of the call that made this view, when the host sent the tool input. */
  prompt?: string;
  /** A line under the progress card: the last status-call error or cancel_job's answer. */
  note?: string;
  /** Why the view stopped following the job (an error result of wait_for_job). */
  error?: string;
  openLink(url: string): void;
  cancel(): void;
}

function header(job: Job): HTMLElement {
  const cost = formatCost(job.cost);
  return h(
    "header",
    {},
    h("span", { class: "badge" }, job.status),
    job.model && h("strong", { class: "model" }, job.model),
    h("span", { class: "vendor" }, job.vendor),
    cost && h("span", { class: "cost" }, cost),
  );
}

function kind(a: Asset): "image" | "video" | "audio" | "file" {
  const k = a.mime_type.split("/")[0];
  return k === "image" || k === "video" || k === "audio" ? k : "file";
}

function facts(a: Asset): string {
  return [
    a.width && a.height ? `${a.width}×${a.height}` : undefined,
    a.duration_s ? formatDuration(a.duration_s) : undefined,
    formatBytes(a.bytes),
    a.role,
  ]
    .filter(Boolean)
    .join(" · ");
}

/**
 * A file removed or changed since it was saved: what became of it and where the output as generated
 * can still be had, in the results' words, never its bytes now (the results do not embed them either).
 */
function notAsSaved(a: Asset, file: FileState, ctx: RenderContext): HTMLElement {
  // A URL that is not http(s) is never a link, so the words do not point to it either.
  const web = { ...a, url: isWebUrl(a.url) ? a.url : undefined, download_url: isWebUrl(a.download_url) ? a.download_url : undefined };
  const { text, via } = notAsSavedWords(web, file, "the vendor URL");
  const again = via === "vendor" && a.url ? linkOut("Vendor URL", a.url, ctx, a.expires_at) : undefined;
  return h(
    "div",
    { class: "not-as-saved" },
    h("p", {}, `${text[0]!.toUpperCase()}${text.slice(1)}.`),
    h("p", { class: "path" }, a.path ?? a.uri),
    again,
  );
}

/** A link the host opens (ui/open-link), never the view by navigating. */
function linkOut(label: string, url: string, ctx: RenderContext, until?: string): HTMLElement {
  return h(
    "a",
    {
      class: "download",
      href: url,
      title: until ? `valid until ${until}` : "",
      onclick: (e: Event) => {
        e.preventDefault();
        // The view may stay open past the link's expiry: it is not opened then.
        if (until && !(Date.parse(until) > Date.now()))
          return void (e.currentTarget as HTMLElement).replaceWith(h("span", { class: "expired" }, `${label}: expired at ${until}`));
        ctx.openLink(url);
      },
    },
    label,
  );
}

/** A changed file the bucket still holds: media:// serves the bucket's copy as generated, so it is shown, with what became of the local one. */
function fromBucket(a: Asset): boolean {
  return a.file === "changed" && a.storage === "s3";
}

function bucketCopyNote(a: Asset): HTMLElement {
  const { text } = notAsSavedWords({ bytes: a.bytes }, "changed", "");
  return h("p", { class: "bucket-copy" }, `${text[0]!.toUpperCase()}${text.slice(1)}; shown here is the bucket's copy, as generated.`);
}

function asset(a: Asset, ctx: RenderContext, onlyVideo: boolean): HTMLElement {
  const k = kind(a);
  const view =
    a.file && !fromBucket(a)
      ? notAsSaved(a, a.file, ctx)
      : k === "image"
        ? ctx.media.image(a)
        : k === "video"
          ? ctx.media.video(a, onlyVideo)
          : k === "audio"
            ? ctx.media.audio(a)
            : h("p", { class: "file" }, a.path ?? a.uri);
  const url = a.download_url;
  const link = isWebUrl(url) && linkOut("Download", url, ctx, a.download_expires_at);
  const note = fromBucket(a) && bucketCopyNote(a);
  // The upload failed or was skipped: other replicas and the bucket's links cannot serve this file.
  const notInBucket =
    a.storage_error &&
    h(
      "p",
      { class: "storage-error", title: a.storage_error },
      "Not copied to the bucket: only in the output folder of the server that saved it.",
    );
  return h("figure", { class: `asset ${k}` }, note, view, h("figcaption", {}, h("span", { class: "facts" }, facts(a)), link), notInBucket);
}

function finished(job: Job, ctx: RenderContext): Child[] {
  if (!job.assets.length) return [h("p", { class: "detail" }, job.detail ?? job.message ?? "Finished with no file.")];
  const onlyVideo = job.assets.filter((a) => kind(a) === "video" && (!a.file || fromBucket(a))).length === 1;
  return [h("div", { class: "gallery" }, ...job.assets.map((a) => asset(a, ctx, onlyVideo)))];
}

function running(job: Job, ctx: RenderContext): Child[] {
  const elapsed = h("span", { class: "elapsed" }, formatElapsed(Date.now() - ctx.startedAt));
  elapsed.dataset.since = String(ctx.startedAt);
  return [
    h("p", { class: "state" }, `${job.status}${job.detail ? `: ${job.detail}` : ""} · `, elapsed),
    ctx.error ? h("p", { class: "error-message" }, ctx.error) : h("div", { class: "bar" }, h("i")),
    ctx.note && h("p", { class: "note" }, ctx.note),
    !ctx.error && ctx.cancellable && h("button", { class: "cancel", type: "button", onclick: () => ctx.cancel() }, "Cancel"),
  ];
}

function failure(job: Job, ctx: RenderContext): Child[] {
  const e = job.error;
  return [
    e && h("p", { class: "error-code" }, e.code),
    h("p", { class: "error-message" }, e?.message ?? job.detail ?? job.message ?? `The job ${job.status}.`),
    e?.hint && h("p", { class: "hint" }, `What to do: ${e.hint}`),
    e?.request_id && h("p", { class: "request-id" }, `request id ${e.request_id}`),
    ctx.note && h("p", { class: "note" }, ctx.note),
  ];
}

/** The card for a job in any status. */
export function renderJob(job: Job, ctx: RenderContext): HTMLElement {
  const body =
    job.status === "succeeded" ? finished(job, ctx) : TERMINAL_STATUSES.includes(job.status) ? failure(job, ctx) : running(job, ctx);
  const card = h(
    "section",
    { class: `card ${job.status}` },
    header(job),
    ctx.prompt && h("p", { class: "prompt" }, ctx.prompt),
    ...body,
    !!job.warnings?.length && h("ul", { class: "warnings" }, ...job.warnings.map((w) => h("li", {}, w))),
    h("footer", { class: "job-id" }, `job ${job.job_id}`),
  );
  card.dataset.status = job.status;
  return card;
}

/** A result that is not a job (or an error with no job): its text, as text. */
export function renderText(text: string, isError: boolean): HTMLElement {
  return h("section", { class: `card text${isError ? " failed" : ""}` }, h("pre", {}, text));
}

/** Puts `text` as the card's note, in place (a redraw would read its media again). */
export function noteOnCard(root: ParentNode, text: string): void {
  const card = root.querySelector(".card");
  if (!card) return;
  card.querySelector(":scope > .note")?.remove();
  card.querySelector(":scope > footer")?.before(h("p", { class: "note" }, text));
}

/** Keeps every elapsed-time label current (called once a second). */
export function tickElapsed(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>(".elapsed")) el.textContent = formatElapsed(Date.now() - Number(el.dataset.since));
}
