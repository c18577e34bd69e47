/**
 * The Kling simulator's elements (主体), from Kling's docs: the current service
 * (`/v1/general/advanced-custom-elements`: an async creation task from images or a video, an
 * optional voice, its own presets at `advanced-presets-elements`) and the old one
 * (`custom-elements`, synchronous, with `presets-elements`), kept apart as Kling keeps them (no
 * cross-API queries). Delete (`delete-elements`, and `delete-advanced-elements` on the video pages)
 * removes a custom element of either library.
 */
import { randomBytes } from "node:crypto";
import { bad, checkImage, Reject } from "./simulator-requests.js";

export interface SimElement {
  element_id: string;
  element_name: string;
  element_description: string;
  owned_by: string;
  status: string;
  tag_list: Array<{ tag_id: string }>;
  [k: string]: unknown;
}

/** A creation task of the current service; its element exists once the task succeeded. */
export interface SimElementTask {
  task_id: string;
  external_task_id?: string;
  created_ms: number;
  element: SimElement;
}

type Body = Record<string, unknown>;
type Publish = () => string;

function baseFields(b: Body): Pick<SimElement, "element_name" | "element_description" | "tag_list"> {
  const name = b.element_name;
  const desc = b.element_description;
  if (typeof name !== "string" || !name || name.length > 20) bad("element_name is required, at most 20 characters");
  if (typeof desc !== "string" || !desc || desc.length > 100) bad("element_description is required, at most 100 characters");
  const tags =
    b.tag_list === undefined
      ? []
      : Array.isArray(b.tag_list)
        ? (b.tag_list as Array<{ tag_id: string }>)
        : bad("tag_list must be an array");
  for (const t of tags) if (!/^o_10[1-8]$/.test(String(t?.tag_id))) bad("tag_list.tag_id must be o_101-o_108");
  return { element_name: name, element_description: desc, tag_list: tags };
}

export class SimElements {
  /** Old library: elements by id. */
  readonly old = new Map<string, SimElement>();
  /** Current library: creation tasks by task id. */
  readonly tasks = new Map<string, SimElementTask>();
  readonly oldPresets: SimElement[] = [];
  readonly presets: SimElementTask[] = [];
  private seq = 0;

  constructor(
    private readonly now: () => number,
    /** How long a creation task runs. */
    private readonly buildMs: number,
  ) {
    for (const [i, name] of ["Panda", "Robot"].entries())
      this.oldPresets.push({ ...this.element(name, `official ${name.toLowerCase()}`, "kling"), element_id: `9007199254740${993 + i}123` });
    for (const name of ["Grace", "Armored Youth"]) {
      const element = { ...this.element(name, `official ${name}`, "kling"), reference_type: "image_refer" };
      this.presets.push({ task_id: this.taskId(), created_ms: 0, element });
    }
  }

  private element(name: string, description: string, owner: string): SimElement {
    const element_id = String(9_100_000_000_000_000_000n + BigInt(++this.seq) * 7919n);
    return { element_id, element_name: name, element_description: description, owned_by: owner, status: "succeed", tag_list: [] };
  }

  private taskId(): string {
    return String(BigInt(this.now()) * 1000n + BigInt(++this.seq % 1000));
  }

  /** Old service: synchronous create from a front image and 1-3 more. */
  createOld(b: Body, publish: Publish): SimElement {
    const base = baseFields(b);
    checkImage(b.element_frontal_image, "element_frontal_image");
    const refs = Array.isArray(b.element_refer_list) ? (b.element_refer_list as Array<{ image_url?: unknown }>) : [];
    if (refs.length < 1 || refs.length > 3) bad("element_refer_list must have 1-3 images");
    for (const r of refs) checkImage(r.image_url, "element_refer_list.image_url");
    const el: SimElement = {
      ...this.element(base.element_name, base.element_description, "account"),
      ...base,
      element_frontal_image: publish(),
      element_refer_list: refs.map(() => ({ image_url: publish() })),
    };
    this.old.set(el.element_id, el);
    return el;
  }

  /** Current service: an async creation task (image_refer or video_refer, optional voice). */
  createCurrent(b: Body, publish: Publish): SimElementTask {
    const base = baseFields(b);
    const ext = b.external_task_id;
    if (ext !== undefined && (typeof ext !== "string" || !ext)) bad("external_task_id must be a string");
    if (ext && [...this.tasks.values()].some((t) => t.external_task_id === ext)) bad("external_task_id already exists");
    const element: SimElement = {
      ...this.element(base.element_name, base.element_description, "account"),
      ...base,
      reference_type: b.reference_type,
    };
    if (b.reference_type === "image_refer") {
      const list = b.element_image_list as { frontal_image?: unknown; refer_images?: Array<{ image_url?: unknown }> } | undefined;
      if (!list || typeof list !== "object") bad("element_image_list is required when reference_type is image_refer");
      checkImage(list.frontal_image, "element_image_list.frontal_image");
      const refs = Array.isArray(list.refer_images) ? list.refer_images : [];
      if (refs.length < 1 || refs.length > 3) bad("element_image_list.refer_images must have 1-3 images");
      for (const r of refs) checkImage(r.image_url, "element_image_list.refer_images.image_url");
      element.element_image_list = { frontal_image: publish(), refer_images: refs.map(() => ({ image_url: publish() })) };
    } else if (b.reference_type === "video_refer") {
      const videos = (b.element_video_list as { refer_videos?: Array<{ video_url?: unknown }> } | undefined)?.refer_videos;
      if (!Array.isArray(videos) || videos.length !== 1) bad("element_video_list.refer_videos must have 1 video");
      if (typeof videos[0]?.video_url !== "string" || !/^https?:\/\//.test(videos[0].video_url)) bad("video_url must be a URL");
      element.element_video_list = { refer_videos: [{ video_url: videos[0].video_url }] };
    } else bad("reference_type must be video_refer or image_refer");
    if (b.element_voice_id !== undefined) {
      if (typeof b.element_voice_id !== "string" || !b.element_voice_id) bad("element_voice_id must be a string");
      element.element_voice_info = { voice_id: b.element_voice_id, voice_name: "voice", owned_by: "kling" };
    }
    const task: SimElementTask = { task_id: this.taskId(), created_ms: this.now(), element, ...(ext ? { external_task_id: ext } : {}) };
    this.tasks.set(task.task_id, task);
    return task;
  }

  findTask(id: string): SimElementTask {
    const t = this.tasks.get(id) ?? [...this.tasks.values()].find((x) => x.external_task_id === id);
    if (!t) throw new Reject(404, 1203, `task ${id} not found`);
    return t;
  }

  /**
   * A creation task as Kling shows it: submitted, processing, then succeed with its element; one whose
   * description says "[fail]" ends failed (as Kling's review of the reference images ends one).
   */
  view(t: SimElementTask): Record<string, unknown> {
    const age = this.now() - t.created_ms;
    const done = t.created_ms === 0 || age >= this.buildMs;
    const fails = t.element.element_description.includes("[fail]");
    const status = done ? (fails ? "failed" : "succeed") : age >= this.buildMs / 3 ? "processing" : "submitted";
    return {
      task_id: t.task_id,
      task_status: status,
      task_status_msg: status === "failed" ? "the reference images did not pass review" : "",
      task_info: t.external_task_id ? { external_task_id: t.external_task_id } : {},
      task_result: { elements: status === "succeed" ? [t.element] : [] },
      // The element docs show what a creation took; Kling publishes no price for it, so one unit stands in.
      ...(status === "succeed" && t.created_ms !== 0
        ? { final_unit_deduction: "1", final_balance_deduction: { quota: "0", list_price: "0" } }
        : {}),
      created_at: t.created_ms,
      updated_at: this.now(),
    };
  }

  /**
   * Deletes a custom element of either library; presets cannot be deleted. An id Kling does not
   * have (or already deleted) gets 404 with code 1203, the error-code table's "requested resource
   * does not exist".
   */
  delete(b: Body): Record<string, unknown> {
    const id = typeof b?.element_id === "string" || typeof b?.element_id === "number" ? String(b.element_id) : "";
    if (!/^\d+$/.test(id)) bad("element_id is required");
    const preset = this.oldPresets.some((p) => p.element_id === id) || this.presets.some((p) => p.element.element_id === id);
    if (preset) bad("only custom elements can be deleted");
    const task = [...this.tasks.values()].find((t) => t.element.element_id === id && t.element.status !== "deleted");
    if (task) task.element.status = "deleted";
    else if (!this.old.delete(id)) throw new Reject(404, 1203, `element ${id} not found`);
    return { task_id: randomBytes(8).toString("hex"), task_status: "succeed" };
  }

  /** The current library's custom list: creation tasks, newest first, deleted elements left out. */
  currentList(): Array<Record<string, unknown>> {
    return [...this.tasks.values()]
      .filter((t) => t.element.status !== "deleted")
      .reverse()
      .map((t) => this.view(t));
  }
}
