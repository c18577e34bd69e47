/// <reference lib="dom" />
/**
 * The viewer's wiring to the host through the official ext-apps `App`: it renders each tool result,
 * follows a running job with app-only wait_for_job calls until it ends, offers cancel_job, and
 * applies the host's theme. Media bytes come through the App's resources/read (media.ts).
 */
import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables, type McpUiHostContext } from "@modelcontextprotocol/ext-apps";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { put } from "./dom.js";
import { backoffMs, TERMINAL_STATUSES } from "./format.js";
import { MediaView } from "./media.js";
import { noteOnCard, renderJob, renderText, tickElapsed, type RenderContext } from "./render.js";
import { asJob, jobMeta, type Job } from "./types.js";

/** How long each wait_for_job call waits on the server (the host may time a call out near a minute). */
const WAIT_SECONDS = 20;

const root = document.getElementById("root")!;
const app = new App({ name: "aigc-mcp viewer", version: "1" }, {}, { autoResize: true });
const media = new MediaView(
  async (uri) => {
    const r = await app.readServerResource({ uri });
    const c = r.contents[0];
    return { mimeType: c?.mimeType, blob: c && "blob" in c ? c.blob : undefined };
  },
  () => void refresh(),
);

/** Bumped by every new result and at teardown: a status loop of an older epoch stops. */
let epoch = 0;
/** The epoch whose finished job was asked for again after a file could not be read (once per result). */
let refreshedIn = -1;
let prompt: string | undefined;
const started = new Map<string, number>();
let view: { job: Job; cancellable: boolean; note?: string; error?: string } | undefined;

function text(r: CallToolResult): string {
  return r.content
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

function draw(): void {
  if (!view) return;
  const { job, cancellable, note, error } = view;
  const ctx: RenderContext = {
    media,
    startedAt: started.get(job.job_id) ?? Date.now(),
    cancellable,
    prompt,
    note,
    error,
    openLink: (url) => void app.openLink({ url }).catch(() => undefined),
    cancel: () => void cancel(job.job_id),
  };
  media.release("redraw");
  put(root, renderJob(job, ctx));
  media.settle();
}

/** Shows a result; a job that is still running is then followed until it ends. */
function show(r: CallToolResult): void {
  const my = ++epoch;
  const job = asJob(r.structuredContent);
  if (!job) {
    view = undefined;
    media.release("result");
    const t = text(r);
    put(root, t ? renderText(t, r.isError === true) : "");
    return;
  }
  const meta = jobMeta(r._meta);
  const at = meta.created_at ? Date.parse(meta.created_at) : NaN;
  if (!started.has(job.job_id) || !Number.isNaN(at)) started.set(job.job_id, Number.isNaN(at) ? Date.now() : at);
  view = { job, cancellable: meta.cancellable === true };
  media.release("result");
  draw();
  if (!TERMINAL_STATUSES.includes(job.status)) void follow(job.job_id, my);
}

/** Calls wait_for_job until the job ends, a newer result arrives or the view is torn down. */
async function follow(jobId: string, my: number): Promise<void> {
  let wait = 0;
  let failures = 0;
  while (my === epoch) {
    try {
      const r = await app.callServerTool({ name: "wait_for_job", arguments: { job_id: jobId, wait_seconds: wait } });
      if (my !== epoch) return;
      const job = asJob(r.structuredContent);
      // An error result with no job (unknown job, invalid input) will not change on retry: stop and show it.
      if (r.isError && !job && view) {
        view = { ...view, cancellable: false, error: text(r) || "wait_for_job failed" };
        return draw();
      }
      if (!job) throw new Error(text(r) || "wait_for_job answered without a job");
      const stale = failures > 0; // the note is a failed status call's: this fresh answer replaces it
      failures = 0;
      wait = WAIT_SECONDS;
      const meta = jobMeta(r._meta);
      view = { job, cancellable: meta.cancellable ?? view?.cancellable ?? false, note: stale ? undefined : view?.note };
      draw();
      if (TERMINAL_STATUSES.includes(job.status)) return;
    } catch (e) {
      if (my !== epoch || !view) return;
      const delay = backoffMs(failures++);
      view.note = `Could not get the status (${e instanceof Error ? e.message : String(e)}); retrying in ${delay / 1000} s.`;
      draw();
      await new Promise((res) => setTimeout(res, delay));
    }
  }
}

/**
 * A file of a finished job could not be read: the result may be older than the file's removal or
 * change (a host showing an earlier chat again). Asks get_job once for the files as they are now;
 * a file still unreadable after that keeps its error.
 */
async function refresh(): Promise<void> {
  const my = epoch;
  if (!view || refreshedIn === my || !TERMINAL_STATUSES.includes(view.job.status)) return;
  refreshedIn = my;
  try {
    const r = await app.callServerTool({ name: "get_job", arguments: { job_id: view.job.job_id, delivery: "link" } });
    const job = asJob(r.structuredContent);
    if (my !== epoch || !view) return;
    if (job?.job_id !== view.job.job_id)
      return noteOnCard(root, `Could not check the files again: ${text(r) || "get_job answered without the job"}`);
    view = { ...view, job };
    draw();
  } catch (e) {
    if (my === epoch) noteOnCard(root, `Could not check the files again: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function cancel(jobId: string): Promise<void> {
  if (!view) return;
  view.note = "Cancelling…";
  draw();
  let note: string;
  try {
    const r = await app.callServerTool({ name: "cancel_job", arguments: { job_id: jobId } });
    note = text(r).split("\n")[0] ?? "";
  } catch (e) {
    note = `cancel_job failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (view?.job.job_id !== jobId) return;
  view.note = note;
  draw();
  // The job's record says what the cancel did: show it now rather than when the current wait ends.
  const my = ++epoch;
  void follow(jobId, my);
}

function theme(ctx: McpUiHostContext | undefined): void {
  if (ctx?.theme) applyDocumentTheme(ctx.theme);
  if (ctx?.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
  if (ctx?.styles?.css?.fonts) applyHostFonts(ctx.styles.css.fonts);
}

app.ontoolinput = (p) => {
  const a = p.arguments ?? {};
  const t = a.prompt ?? a.text;
  prompt = typeof t === "string" ? t : undefined;
};
app.ontoolresult = (r) => show(r);
app.ontoolcancelled = (p) => {
  epoch++;
  view = undefined;
  media.release("result");
  put(root, renderText(`The call was cancelled${p.reason ? `: ${p.reason}` : "."}`, false));
};
app.onhostcontextchanged = (ctx) => theme(ctx);
app.onteardown = () => {
  epoch++;
  media.release("teardown");
  return {};
};
setInterval(() => tickElapsed(root), 1000);

await app.connect();
theme(app.getHostContext());
