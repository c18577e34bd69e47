/** Kling elements (主体): reusable subjects referenced by id from the video, omni and image tools. */
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { idText } from "../bounds.js";
import { waitSecondsSchema } from "../jobs.js";
import type { CoreConfig } from "../../config.js";
import { AigcError, describeError, inputError } from "../../errors.js";
import { withDeadline } from "../../net/deadline.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import { KlingElements, type ElementLibrary, type ElementPage, type ElementTask, type KlingElement } from "../../vendors/kling/elements.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { unknownEstimate } from "../../vendors/kit/price.js";
import { VENDOR_ID } from "../../vendors/kling/config.js";
import { MODERATED_TASK } from "../../vendors/kling/errors.js";
import { klingEstimate, klingUsage } from "../../vendors/kling/pricing.js";
import { MAX_ID, MAX_MEDIA_REF, loadInputUrl } from "../media-inputs.js";
import { IMAGE_HELP, klingImage, klingImages, type KlingPrices } from "./common.js";

export const ELEMENT_TAGS = ["o_101", "o_102", "o_103", "o_104", "o_105", "o_106", "o_107", "o_108"] as const;
const LIBRARIES = { current: "current", old: "old" } as const;

const elementShape = z.object({
  element_id: z.string().describe("pass it in element_ids of the Kling video, omni and image tools"),
  element_name: z.string().optional(),
  element_description: z.string().optional(),
  library: z.enum(["current", "old"]).optional().describe("which Kling element service holds it (Kling keeps the two apart)"),
  reference_type: z.string().optional().describe("image_refer (multi-image element) or video_refer (video character element)"),
  voice_id: z.string().optional().describe("the voice bound to the element"),
  owned_by: z.string().optional().describe("who owns it (kling = an official preset, else your account)"),
  status: z.string().optional(),
  tags: z.array(z.string()).optional(),
  frontal_image: z.string().optional().describe("URL of the element's front image"),
});
type ElementOut = z.infer<typeof elementShape>;

const pendingShape = z.object({
  task_id: z.string(),
  status: z.string().describe("submitted, processing or failed"),
  message: z.string().optional(),
});

function view(e: KlingElement, library: ElementLibrary): ElementOut {
  const tags = (e.tag_list ?? []).map((t) => t.tag_name ?? t.tag_id).filter((t): t is string => !!t);
  const front = e.element_image_list?.frontal_image ?? e.element_frontal_image;
  return {
    element_id: String(e.element_id),
    ...(e.element_name ? { element_name: e.element_name } : {}),
    ...(e.element_description ? { element_description: e.element_description } : {}),
    library,
    ...(e.reference_type ? { reference_type: e.reference_type } : {}),
    ...(e.element_voice_info?.voice_id ? { voice_id: e.element_voice_info.voice_id } : {}),
    ...(e.owned_by !== undefined ? { owned_by: String(e.owned_by) } : {}),
    ...(e.status ? { status: String(e.status) } : {}),
    ...(tags.length ? { tags } : {}),
    ...(typeof front === "string" && /^https?:/.test(front) ? { frontal_image: front } : {}),
  };
}

const line = (e: ElementOut) =>
  `- ${e.element_id} ${e.element_name ?? ""}${e.element_description ? `: ${e.element_description}` : ""}${e.owned_by ? ` (owner ${e.owned_by})` : ""}${e.library === "old" ? " [old library]" : ""}`;

/**
 * Polls an element-creation task until it ends or `budgetMs` runs out (each read within it too).
 * The task exists and may be billed, so a read that fails is no failure of the call: `unread` says
 * why its status is not known, and the task is the last one read (else just its id, "submitted").
 */
async function settle(
  elements: KlingElements,
  taskId: string,
  budgetMs: number,
  signal: AbortSignal,
): Promise<{ task: ElementTask; unread?: string }> {
  const until = Date.now() + budgetMs;
  let task: ElementTask = { task_id: taskId, task_status: "submitted", elements: [] };
  let pause = 300;
  for (;;) {
    const limit = withDeadline(signal, Math.max(1000, until - Date.now()));
    try {
      task = await elements.get(taskId, limit.signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const why = limit.signal.aborted
        ? "the wait budget ended during the status read"
        : err instanceof AigcError
          ? err.info.message
          : String(err);
      return { task, unread: why };
    } finally {
      limit.clear();
    }
    if (task.task_status === "succeed" || task.task_status === "failed" || Date.now() + pause > until) return { task };
    await sleep(pause, undefined, { signal });
    pause = Math.min(pause * 2, 3000);
  }
}

/** What an element creation is priced as: Kling publishes no price, so only a prices file gives one. */
export const ELEMENT_PRICE = { model: "element", endpoint: "general/advanced-custom-elements" } as const;

/** A failed creation as every failure reads: "Error: TaskFailed (Kling): …" and what to change. */
function elementFailure(task: ElementTask): string {
  const reason = task.task_status_msg || "no reason given";
  const moderated = MODERATED_TASK.test(reason);
  return describeError(
    new AigcError({
      category: moderated ? "content_policy" : "invalid_input",
      code: "TaskFailed",
      vendor: VENDOR_ID,
      message: `Kling could not create the element (task ${task.task_id}): ${reason}`,
      hint: moderated
        ? "Replace the reference images or video (or the description) that Kling's review refused, and call again."
        : "Kling's message says why: change the reference images, video or description it names, and call again.",
    }),
  );
}

export function klingElementTools(client: KlingClient, core: CoreConfig, prices: KlingPrices) {
  const elements = new KlingElements(client);
  return [
    defineTool({
      name: "kling_create_element",
      title: "Create a Kling element (主体)",
      description:
        "Creates a reusable Kling element (主体: character, object) for element_ids from a front image and 1-3 views, or a video of a person. Paid. kling_list_elements shows it once built.",
      input: {
        element_name: z.string().min(1).max(20).describe("<= 20 chars"),
        element_description: z.string().min(1).max(100).describe("<= 100 chars"),
        frontal_image: z.string().min(1).max(MAX_MEDIA_REF).optional().describe(IMAGE_HELP),
        refer_images: z.array(z.string().min(1).max(MAX_MEDIA_REF)).min(1).max(3).optional().describe("1-3 more views"),
        video_url: z.string().min(1).max(MAX_MEDIA_REF).optional().describe("or: mp4/mov of a person, 3-8 s, 1080p"),
        voice_id: idText(128).min(1).optional(),
        tag_ids: z.array(z.enum(ELEMENT_TAGS)).max(8).optional(),
        wait_seconds: waitSecondsSchema(core, "kling_list_elements shows an element still being created once it is done"),
      },
      output: {
        task_id: z.string().describe("the creation task (kling_list_elements shows it while pending)"),
        status: z.string().describe("succeed, failed, or submitted/processing when still running"),
        element: elementShape.optional(),
      },
      annotations: PAID_GENERATOR,
      /**
       * Creating an element may be billed: the answers of Kling's element API ("Query Custom
       * Element") report a unit and balance deduction, but kling.ai/dev/pricing lists no price for
       * it, so the estimate is unknown unless AIGC_MCP_PRICES_FILE gives one.
       */
      quote(args) {
        const meter = () => ({
          meters: [{ quantity: 1, dims: { reference_type: args.video_url ? "video_refer" : "image_refer" } }],
          unit: "item" as const,
        });
        const estimate = prices.book.find(ELEMENT_PRICE.model, ELEMENT_PRICE.endpoint)
          ? klingEstimate(prices.book, ELEMENT_PRICE.model, ELEMENT_PRICE.endpoint, meter, prices.currency)
          : unknownEstimate(
              `Kling publishes no price for creating an element (kling.ai/dev/pricing lists none), though its element tasks report a deduction; give one in AIGC_MCP_PRICES_FILE as model "${ELEMENT_PRICE.model}", endpoint "${ELEMENT_PRICE.endpoint}", unit "item"`,
            );
        return { vendor: VENDOR_ID, estimate };
      },
      async run(args, ctx) {
        const budget = ctx.budget(args.wait_seconds);
        const byVideo = args.video_url !== undefined;
        if (byVideo && (args.frontal_image || args.refer_images))
          throw inputError("video_url", "give either video_url (a video character element) or frontal_image + refer_images, not both");
        if (!byVideo && (!args.frontal_image || !args.refer_images?.length))
          throw inputError(
            args.frontal_image ? "refer_images" : "frontal_image",
            "an image element needs frontal_image and 1-3 refer_images",
          );
        const videoUrl = byVideo
          ? await loadInputUrl(ctx.app, args.video_url!, { field: "video_url", accept: ["video"] }, "Kling")
          : undefined;
        const frontal = await klingImage(ctx, args.frontal_image, "frontal_image");
        const refers = await klingImages(ctx, args.refer_images, "refer_images");
        const created = await elements.create(
          {
            element_name: args.element_name,
            element_description: args.element_description,
            ...(videoUrl ? { video_url: videoUrl } : { frontal_image: frontal, refer_images: refers }),
            ...(args.voice_id ? { voice_id: args.voice_id } : {}),
            ...(args.tag_ids?.length ? { tag_ids: args.tag_ids } : {}),
          },
          { signal: ctx.signal, deadlineMs: budget.deadlineMs },
        );
        ctx.progress("Kling is building the element");
        const { task, unread } = await settle(elements, created.taskId, budget.remainingMs(), ctx.signal);
        const usage = task.task_status === "succeed" ? klingUsage(task, prices.currency) : undefined;
        if (usage) ctx.reportUsage(usage);
        const made = task.elements[0];
        const element = made ? view(made, LIBRARIES.current) : undefined;
        const text =
          task.task_status === "failed"
            ? elementFailure(task)
            : element
              ? `Created Kling element ${element.element_id}.\n${line(element)}\nUse element_ids: ["${element.element_id}"] in the Kling video, omni and image tools.`
              : `Kling is still creating the element (task ${task.task_id}, ${task.task_status}${unread ? `; its status could not be read: ${unread}` : ""}); kling_list_elements shows it with its element_id when done.${unread ? " It was sent and may be billed: do not create it again." : ""}`;
        return {
          content: [{ type: "text", text }],
          structuredContent: { task_id: task.task_id, status: task.task_status, ...(element ? { element } : {}) },
          ...(task.task_status === "failed" ? { isError: true } : {}),
        };
      },
    }),
    defineTool({
      name: "kling_list_elements",
      title: "List Kling elements (主体)",
      description:
        "Lists Kling elements (主体) for element_ids: yours (source custom) or Kling's presets (official), in both element libraries. Free.",
      input: {
        source: z.enum(["custom", "official"]).optional(),
        library: z.enum(["all", "current", "old"]).optional(),
        page: z.number().int().min(1).max(1000).optional(),
        page_size: z.number().int().min(1).max(500).optional(),
      },
      output: {
        source: z.enum(["custom", "official"]),
        page: z.number().int(),
        elements: z.array(elementShape),
        pending: z.array(pendingShape).optional().describe("element creations of the current library not finished (or failed)"),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
      async run(args, ctx) {
        const source = args.source ?? "custom";
        const page = args.page ?? 1;
        const paging = { pageNum: page, pageSize: args.page_size ?? 30 };
        const lib = args.library === "current" || args.library === "old" ? args.library : undefined;
        const pages: Array<[ElementLibrary, ElementPage]> = lib
          ? [[lib, await elements.list(lib, source, paging, ctx.signal)]]
          : Object.entries(await elements.listBoth(source, paging, ctx.signal)).map(([l, p]) => [l as ElementLibrary, p]);
        const found: ElementOut[] = [];
        const pending: Array<z.infer<typeof pendingShape>> = [];
        for (const [library, one] of pages) {
          found.push(...one.elements.map((e) => view(e, library)));
          for (const t of one.pending)
            pending.push({ task_id: t.task_id, status: t.task_status, ...(t.task_status_msg ? { message: t.task_status_msg } : {}) });
        }
        const full = pages.reduce((n, [, p]) => n + p.entries, 0) === paging.pageSize;
        const lines = [
          found.length
            ? `${found.length} ${source} element(s) on page ${page}:\n${found.map(line).join("\n")}`
            : `No ${source} elements on page ${page}.`,
          ...pending.map((p) => `- task ${p.task_id}: ${p.status}${p.message ? ` (${p.message})` : ""}`),
          ...(full ? [`Page ${page + 1} may have more.`] : []),
        ];
        return {
          content: [{ type: "text", text: lines.join("\n") }],
          structuredContent: { source, page, elements: found, ...(pending.length ? { pending } : {}) },
        };
      },
    }),
    defineTool({
      name: "kling_delete_element",
      title: "Delete a Kling element (主体)",
      description: "Permanently deletes one of your Kling elements (主体) by element_id (not official presets). Cannot be undone. Free.",
      input: {
        element_id: idText(MAX_ID).regex(/^\d{1,30}$/, "must be a numeric element id"),
      },
      output: { element_id: z.string(), deleted: z.boolean(), status: z.string().optional().describe("not_found: no such element") },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      async run(args, ctx) {
        const res = await elements.delete(args.element_id, ctx.signal);
        if (!res) {
          const text = `Kling has no element ${args.element_id} (already deleted, or never created with this account): nothing was deleted.`;
          return {
            content: [{ type: "text", text }],
            structuredContent: { element_id: args.element_id, deleted: false, status: "not_found" },
          };
        }
        const status = res.task_status;
        const deleted = status !== "failed";
        return {
          content: [
            {
              type: "text",
              text: deleted
                ? `Deleted Kling element ${args.element_id}${status ? ` (status ${status})` : ""}.`
                : `Kling could not delete element ${args.element_id} (status ${status}).`,
            },
          ],
          structuredContent: { element_id: args.element_id, deleted, ...(status ? { status } : {}) },
          ...(deleted ? {} : { isError: true }),
        };
      },
    }),
  ];
}
