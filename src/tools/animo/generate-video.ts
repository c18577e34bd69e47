import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { AnimoClient } from "../../vendors/animo/client.js";
import type { AnimoConfig } from "../../vendors/animo/config.js";
import {
  animoSyncBody,
  asyncHandleFacts,
  checkAnimo,
  DEFAULT_DURATION,
  DEFAULT_RESOLUTION,
  DEFAULT_STYLE,
  MAX_PROMPT,
  RESOLUTIONS,
  STYLES,
} from "../../vendors/animo/video.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { VENDOR_ID } from "../../vendors/animo/config.js";

export function animoGenerateVideo(client: AnimoClient, cfg: AnimoConfig, core: CoreConfig) {
  const asyncMode = cfg.mode === "async";
  return defineTool({
    name: "animo_generate_video",
    title: "Animo video generation",
    description:
      "Generates a short animated video (MP4) from a text prompt with Animo and saves it to the output folder; use it for stylised or animated clips from a description alone (it takes no input images). " +
      (asyncMode
        ? "This server uses the animo.video asynchronous API: only the prompt is used (put length and look into it); duration, style and resolution are refused. "
        : "Choose duration (1-60 s), style and resolution. ") +
      "Paid: each call is one billable Animo generation, so never repeat a call to check on it. Rendering can take minutes: the call returns a job_id when the wait budget runs out; then call wait_for_job.",
    input: {
      prompt: z.string().min(1).max(MAX_PROMPT).describe("what the video shows and how it moves, in plain words"),
      duration: z
        .number()
        .int()
        .min(1)
        .max(60)
        .optional()
        .describe(`length in seconds, 1-60 (default ${DEFAULT_DURATION}; sync mode only)`),
      style: z.enum(STYLES).optional().describe(`visual style (default ${DEFAULT_STYLE}; sync mode only)`),
      resolution: z.enum(RESOLUTIONS).optional().describe(`frame size WIDTHxHEIGHT (default ${DEFAULT_RESOLUTION}; sync mode only)`),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      checkAnimo(args, cfg.mode);
      const label = args.prompt.slice(0, 80);
      let jobId: string;
      if (asyncMode) {
        ctx.progress("submitting the Animo generation request");
        jobId = await ctx.app.jobs.startTask({
          vendor: VENDOR_ID,
          op: "video",
          label,
          signal: ctx.signal,
          submit: async (signal) => ({ task: await client.submit(args.prompt, signal), x: asyncHandleFacts(cfg) }),
        });
      } else {
        const body = animoSyncBody(args);
        jobId = await ctx.app.jobs.startLocal({
          vendor: VENDOR_ID,
          op: "video",
          label,
          outputKind: "video",
          // The engine streams the returned body to disk (capped, hashed, sniffed).
          run: (signal) => client.openVideo(body, signal),
        });
      }
      return waitAndRender(ctx, jobId, args.wait_seconds, true);
    },
  });
}
