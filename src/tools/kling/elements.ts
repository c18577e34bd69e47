/** Kling elements (主体): reusable subjects referenced by id from the image-to-video and omni tools. */
import { z } from "zod";
import type { KlingClient, KlingElement } from "../../vendors/kling/client.js";
import { defineTool } from "../define.js";
import { IMAGE_HELP, klingImage, klingImages } from "./common.js";

export const ELEMENT_TAGS = ["o_101", "o_102", "o_103", "o_104", "o_105", "o_106", "o_107", "o_108"] as const;

const elementShape = z.object({
  element_id: z.string().describe("pass it in element_ids of kling_image_to_video, kling_omni_video or kling_omni_image"),
  element_name: z.string().optional(),
  element_description: z.string().optional(),
  owned_by: z.string().optional().describe("who owns it (e.g. an official preset or your account)"),
  status: z.string().optional(),
  tags: z.array(z.string()).optional(),
  frontal_image: z.string().optional().describe("URL of the element's front image"),
});
type ElementOut = z.infer<typeof elementShape>;

function view(e: KlingElement): ElementOut {
  const tags = (e.tag_list ?? []).map((t) => t.tag_name ?? t.tag_id).filter((t): t is string => !!t);
  return {
    element_id: String(e.element_id),
    ...(e.element_name ? { element_name: e.element_name } : {}),
    ...(e.element_description ? { element_description: e.element_description } : {}),
    ...(e.owned_by !== undefined ? { owned_by: String(e.owned_by) } : {}),
    ...(e.status ? { status: String(e.status) } : {}),
    ...(tags.length ? { tags } : {}),
    ...(typeof e.element_frontal_image === "string" && /^https?:/.test(e.element_frontal_image)
      ? { frontal_image: e.element_frontal_image }
      : {}),
  };
}

const line = (e: ElementOut) =>
  `- ${e.element_id} ${e.element_name ?? ""}${e.element_description ? `: ${e.element_description}` : ""}${e.owned_by ? ` (owner ${e.owned_by})` : ""}`;

export function klingElementTools(client: KlingClient) {
  return [
    defineTool({
      name: "kling_create_element",
      title: "Create a Kling element (主体)",
      description:
        "Creates a reusable Kling element (主体: a character, object or creature) from a front image and 1-3 more reference images, so later videos and images keep it consistent via element_ids. " +
        "Creates a resource in your Kling account (delete it with kling_delete_element). Returns the new element_id.",
      input: {
        element_name: z.string().min(1).max(20).describe("short name, <= 20 characters"),
        element_description: z.string().min(1).max(100).describe("what it is, <= 100 characters"),
        frontal_image: z.string().min(1).describe(`front view of the subject; ${IMAGE_HELP}`),
        refer_images: z.array(z.string().min(1)).min(1).max(3).describe("1-3 more views of the same subject (same formats)"),
        tag_ids: z.array(z.enum(ELEMENT_TAGS)).max(8).optional().describe("Kling category tags o_101-o_108"),
      },
      output: { element: elementShape },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      async run(args, ctx) {
        const frontal = await klingImage(ctx, args.frontal_image, "frontal_image");
        const refers = await klingImages(ctx, args.refer_images, "refer_images");
        const created = await client.createElement(
          {
            element_name: args.element_name,
            element_description: args.element_description,
            element_frontal_image: frontal,
            element_refer_list: refers.map((image_url) => ({ image_url })),
            ...(args.tag_ids?.length ? { tag_list: args.tag_ids.map((tag_id) => ({ tag_id })) } : {}),
          },
          ctx.signal,
        );
        const element = view(created);
        return {
          content: [
            {
              type: "text",
              text: `Created Kling element:\n${line(element)}\nUse element_ids: ["${element.element_id}"] in kling_image_to_video, kling_omni_video or kling_omni_image.`,
            },
          ],
          structuredContent: { element },
        };
      },
    }),
    defineTool({
      name: "kling_list_elements",
      title: "List Kling elements (主体)",
      description:
        "Lists Kling elements (主体) usable in element_ids: your own (source custom) or Kling's official preset library (source official). Free and read-only.",
      input: {
        source: z.enum(["custom", "official"]).optional().describe('"custom" (your elements, default) or "official" (Kling presets)'),
        page: z.number().int().min(1).max(1000).optional().describe("page number, default 1"),
        page_size: z.number().int().min(1).max(500).optional().describe("elements per page, 1-500 (default 30)"),
      },
      output: { source: z.enum(["custom", "official"]), page: z.number().int(), elements: z.array(elementShape) },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
      async run(args, ctx) {
        const source = args.source ?? "custom";
        const page = args.page ?? 1;
        const elements = (await client.listElements(source, { pageNum: page, pageSize: args.page_size ?? 30 }, ctx.signal)).map(view);
        const text = elements.length
          ? `${elements.length} ${source} element(s) on page ${page}:\n${elements.map(line).join("\n")}`
          : `No ${source} elements on page ${page}.`;
        return { content: [{ type: "text", text }], structuredContent: { source, page, elements } };
      },
    }),
    defineTool({
      name: "kling_delete_element",
      title: "Delete a Kling element (主体)",
      description:
        "Permanently deletes one of your Kling elements (主体) by element_id. Official presets cannot be deleted. This cannot be undone.",
      input: {
        element_id: z
          .string()
          .regex(/^\d{1,30}$/, "must be a numeric element id")
          .describe("the element_id to delete (from kling_list_elements)"),
      },
      output: { element_id: z.string(), deleted: z.boolean(), status: z.string().optional() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      async run(args, ctx) {
        const res = await client.deleteElement(args.element_id, ctx.signal);
        const status = res?.task_status;
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
