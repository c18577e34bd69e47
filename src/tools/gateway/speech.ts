import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import { inputError } from "../../errors.js";
import { MAX_SPEECH_CHARS, openSpeech, SPEECH_FORMATS, speechBody } from "../../vendors/gateway/audio.js";
import type { GatewayClient } from "../../vendors/gateway/client.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { isBlank } from "../bounds.js";
import { MAX_ID } from "../media-inputs.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { gatewayQuote, modelField, modelsFileChecks, resolveModel } from "./common.js";
import { speechMeters } from "../../vendors/gateway/pricing.js";
import type { PriceBook } from "../../vendors/kit/price.js";
import { VENDOR_ID } from "../../vendors/gateway/config.js";

export function gatewaySpeech(client: GatewayClient, core: CoreConfig, book: PriceBook, catalog?: Catalog) {
  const cfg = client.cfg;
  return defineTool({
    name: "gateway_speech",
    title: "AI Gateway text-to-speech",
    description:
      "Reads text aloud with a text-to-speech model via your AI Gateway and saves the audio. Paid per character. A long text: job_id for wait_for_job.",
    input: {
      text: z.string().min(1).max(MAX_SPEECH_CHARS).describe(`<= ${MAX_SPEECH_CHARS} chars`),
      voice: z
        .string()
        .min(1)
        .max(MAX_ID)
        .optional()
        .describe(cfg.voice ? `default ${cfg.voice}` : "required (AI_GATEWAY_TTS_VOICE is not set), e.g. longxiaochun"),
      model: modelField(cfg, "tts"),
      format: z.enum(SPEECH_FORMATS).optional(),
      speed: z.number().min(0.25).max(4).optional().describe("1 = normal"),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const { model } = resolveModel(cfg, "tts", args.model);
      return gatewayQuote(book, "tts", model, () => ({ meters: speechMeters(args.text) }));
    },
    async run(args, ctx) {
      const budget = ctx.budget(args.wait_seconds);
      if (isBlank(args.text)) throw inputError("text", "is only whitespace or invisible characters; give the words to speak");
      const { model, modelVar } = resolveModel(cfg, "tts", args.model);
      const voice = args.voice?.trim() || cfg.voice;
      if (!voice)
        throw inputError(
          "voice",
          "no voice given and AI_GATEWAY_TTS_VOICE is not set: pass voice (a voice name of the model) or set AI_GATEWAY_TTS_VOICE",
        );
      const format = args.format ?? "mp3";
      const guarded = modelsFileChecks(ctx, catalog, "tts", model, { ...args, voice, format });
      const body = speechBody({ model, text: args.text, voice, format, speed: args.speed });
      const jobId = await ctx.app.jobs.startLocal({
        vendor: VENDOR_ID,
        op: "speech",
        model,
        label: args.text.slice(0, 80),
        outputKind: "audio",
        run: (signal) => guarded(() => openSpeech(client, body, format, { signal, modelVar })),
      });
      return waitAndRender(ctx, jobId, budget, true);
    },
  });
}
