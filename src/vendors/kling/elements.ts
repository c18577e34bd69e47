/**
 * Kling elements (主体): two libraries Kling keeps apart ("cannot perform cross-API queries"). The
 * current service (`advanced-custom-elements`, since 2026-02-25) creates elements as an async task
 * from images or a video, optionally bound to a voice, with its own presets
 * (`advanced-presets-elements`); the old one (`custom-elements`, `presets-elements`) still lists
 * what was made with it. One delete (`/v1/general/delete-elements`) serves both.
 */
import { RETRY_SAFE } from "../../net/http.js";
import { newExternalTaskId, type CreateOptions, type CreatedTask, type KlingClient, type KlingTask } from "./client.js";
import { lostAnswerError, mayHaveReachedVendor } from "../kit/lost-answer.js";
import { KLING } from "./errors.js";
import { malformedResponse } from "../kit/errors.js";
import { AigcError } from "../../errors.js";

export type ElementLibrary = "current" | "old";
export type ElementSource = "custom" | "official";

/** One element as either library describes it (ids are read as strings: they exceed 2^53). */
export interface KlingElement {
  element_id: string;
  element_name?: string;
  element_description?: string;
  reference_type?: string;
  element_frontal_image?: string;
  element_image_list?: { frontal_image?: string; refer_images?: Array<{ image_url?: string }> };
  element_voice_info?: { voice_id?: string; voice_name?: string };
  tag_list?: Array<{ tag_id?: string; tag_name?: string }>;
  owned_by?: string;
  status?: string;
  [k: string]: unknown;
}

/** An element-creation task of the current service; `elements` holds the result once it succeeded. */
export interface ElementTask {
  task_id: string;
  task_status: string;
  task_status_msg?: string;
  elements: KlingElement[];
  /** What the creation took, as the element docs show it (pricing.ts `klingUsage` reads them). */
  final_unit_deduction?: string;
  final_balance_deduction?: { quota?: string; list_price?: string };
}

export interface ElementRequest {
  element_name: string;
  element_description: string;
  /** Multi-image element: a front view and 1-3 more (URL or raw base64). */
  frontal_image?: string;
  refer_images?: string[];
  /** Video character element: one video URL. */
  video_url?: string;
  voice_id?: string;
  tag_ids?: string[];
}

const CURRENT = "/v1/general/advanced-custom-elements";
const PATHS: Record<ElementLibrary, Record<ElementSource, string>> = {
  current: { custom: CURRENT, official: "/v1/general/advanced-presets-elements" },
  old: { custom: "/v1/general/custom-elements", official: "/v1/general/presets-elements" },
};
const LOOKUP = { retry: RETRY_SAFE, timeoutMs: 30_000 } as const;
/** Kling's list paging bounds: pageNum [1,1000], pageSize [1,500]. */
const MAX_PAGE = 1000;
const MAX_PAGE_SIZE = 500;

export interface Paging {
  pageNum: number;
  pageSize: number;
}
export interface ElementPage {
  elements: KlingElement[];
  pending: ElementTask[];
  /** How many entries Kling listed (elements, or creation tasks in the current library). */
  entries: number;
}

function shape(library: ElementLibrary, data: unknown[]): ElementPage {
  const entries = data.length;
  if (library === "old")
    return { elements: (data as KlingElement[]).map((e) => ({ ...e, element_id: String(e.element_id) })), pending: [], entries };
  const tasks = (data as KlingTask[]).map(elementTask);
  return { elements: tasks.flatMap((t) => t.elements), pending: tasks.filter((t) => !t.elements.length), entries };
}

function elementTask(t: KlingTask): ElementTask {
  const elements = (t.task_result?.elements ?? []) as KlingElement[];
  return {
    task_id: String(t.task_id),
    task_status: t.task_status,
    ...(t.task_status_msg ? { task_status_msg: t.task_status_msg } : {}),
    elements: elements.map((e) => ({ ...e, element_id: String(e.element_id) })),
    ...(t.final_unit_deduction !== undefined ? { final_unit_deduction: t.final_unit_deduction } : {}),
    ...(t.final_balance_deduction ? { final_balance_deduction: t.final_balance_deduction } : {}),
  };
}

export class KlingElements {
  constructor(private readonly client: KlingClient) {}

  /**
   * Starts creating an element in the current library (an async task). A create whose answer was
   * lost is looked up by its external id, never sent again (the kit's lost-answer rule).
   */
  async create(r: ElementRequest, o: CreateOptions = {}): Promise<CreatedTask> {
    const video = r.video_url !== undefined;
    const body: Record<string, unknown> = {
      element_name: r.element_name,
      element_description: r.element_description,
      reference_type: video ? "video_refer" : "image_refer",
      ...(video
        ? { element_video_list: { refer_videos: [{ video_url: r.video_url }] } }
        : {
            element_image_list: {
              frontal_image: r.frontal_image,
              refer_images: (r.refer_images ?? []).map((image_url) => ({ image_url })),
            },
          }),
      ...(r.voice_id ? { element_voice_id: r.voice_id } : {}),
      ...(r.tag_ids?.length ? { tag_list: r.tag_ids.map((tag_id) => ({ tag_id })) } : {}),
    };
    const target = { standard: "legacy", path: CURRENT } as const;
    const externalTaskId = o.externalTaskId ?? newExternalTaskId();
    try {
      return await this.client.createTask(target, body, { ...o, externalTaskId });
    } catch (err) {
      if (!mayHaveReachedVendor(err)) throw err;
      const found = await this.client.lookupExternal(target, externalTaskId, o.signal).catch(() => null);
      if (found) return { taskId: found.task_id, externalTaskId };
      throw lostAnswerError(
        KLING,
        err,
        `Kling shows no element task with external_task_id ${externalTaskId} yet; kling_list_elements shows it if it appears.`,
      );
    }
  }

  /** The creation task by task id or external id. */
  async get(taskId: string, signal?: AbortSignal): Promise<ElementTask> {
    return elementTask(await this.client.request<KlingTask>("GET", `${CURRENT}/${encodeURIComponent(taskId)}`, { signal, ...LOOKUP }));
  }

  /**
   * One page of one library: its elements, and (current library, which lists creation tasks) the
   * creations that have no element yet because they are still running or failed.
   */
  async list(library: ElementLibrary, source: ElementSource, page: Paging, signal?: AbortSignal): Promise<ElementPage> {
    return shape(library, await this.raw(library, source, page, signal));
  }

  /**
   * One page of both libraries read as one list, the current library's entries first, then the
   * old one's: page n of size s holds entries (n-1)*s to n*s-1 of that list, so stepping through
   * pages skips and repeats nothing (while the libraries do not change). An entry is what Kling
   * lists: an old element, or a current-library creation task (its element, or pending). Where the
   * current library ends inside or before the page, the old library fills the rest.
   */
  async listBoth(source: ElementSource, page: Paging, signal?: AbortSignal): Promise<{ current: ElementPage; old: ElementPage }> {
    const { pageNum, pageSize } = page;
    const start = (pageNum - 1) * pageSize;
    const current = await this.raw("current", source, page, signal);
    let old: unknown[] = [];
    if (current.length < pageSize) {
      // The current library ends here: it holds start + current.length entries, unless this page is
      // empty past page 1, when it ended on an earlier page and is counted.
      const currentTotal = current.length || pageNum === 1 ? start + current.length : await this.count("current", source, signal);
      old = await this.window("old", source, Math.max(0, start + current.length - currentTotal), pageSize - current.length, signal);
    }
    return { current: shape("current", current), old: shape("old", old) };
  }

  /** Entries `from` to `from + n - 1` of a library: at most two Kling pages of size n. */
  private async window(library: ElementLibrary, source: ElementSource, from: number, n: number, signal?: AbortSignal): Promise<unknown[]> {
    const pageNum = Math.floor(from / n) + 1;
    const skip = from % n;
    const first = await this.raw(library, source, { pageNum, pageSize: n }, signal);
    if (!skip || first.length < n) return first.slice(skip);
    return [...first.slice(skip), ...(await this.raw(library, source, { pageNum: pageNum + 1, pageSize: n }, signal)).slice(0, skip)];
  }

  /** How many entries a library lists, read in Kling's largest pages. */
  private async count(library: ElementLibrary, source: ElementSource, signal?: AbortSignal): Promise<number> {
    let total = 0;
    for (let pageNum = 1; pageNum <= MAX_PAGE; pageNum++) {
      const got = (await this.raw(library, source, { pageNum, pageSize: MAX_PAGE_SIZE }, signal)).length;
      total += got;
      if (got < MAX_PAGE_SIZE) break;
    }
    return total;
  }

  private async raw(library: ElementLibrary, source: ElementSource, page: Paging, signal?: AbortSignal): Promise<unknown[]> {
    const q = new URLSearchParams({ pageNum: String(page.pageNum), pageSize: String(page.pageSize) });
    const data = (await this.client.request<unknown[]>("GET", `${PATHS[library][source]}?${q.toString()}`, { signal, ...LOOKUP })) ?? [];
    if (!Array.isArray(data)) throw malformedResponse(KLING, "Kling's element list is not a list");
    return data;
  }

  /**
   * Deletes a custom element of either library (the delete docs type `element_id` as a string).
   * `null` when Kling has no such element: its answer to a resource that does not exist is 404 with
   * code 1203 (error-code table), which is what a second delete of the same element gets.
   */
  async delete(elementId: string, signal?: AbortSignal): Promise<{ task_id?: string; task_status?: string } | null> {
    try {
      const res = await this.client.request<{ task_id?: string; task_status?: string } | null>("POST", "/v1/general/delete-elements", {
        body: { element_id: elementId },
        signal,
        timeoutMs: 30_000,
        json: true,
      });
      return res ?? {};
    } catch (err) {
      if (err instanceof AigcError && err.info.vendor === KLING && err.code === "1203") return null;
      throw err;
    }
  }
}
