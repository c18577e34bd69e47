import { z } from "zod";
import { extForMime } from "../../media/sniff.js";
import { MAX_TRANSCRIBE_BYTES, transcribe } from "../../vendors/gateway/audio.js";
import type { GatewayClient } from "../../vendors/gateway/client.js";
import { defineTool } from "../define.js";
import { MAX_ID, MAX_MEDIA_REF, loadInputBytes } from "../media-inputs.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { GATEWAY_CALL, modelField, modelsFileChecks, resolveModel, result } from "./common.js";

export function gatewayTranscribe(client: GatewayClient, catalog?: Catalog) {
  const cfg = client.cfg;
  return defineTool({
    name: "gateway_transcribe",
    title: "AI Gateway speech-to-text",
    description: `Transcribes speech in an audio file with a speech-to-text model behind your Alibaba Cloud AI Gateway and returns the text. Billed per second of audio.`,
    input: {
      audio: z
        .string()
        .min(1)
        .max(MAX_MEDIA_REF)
        .describe(`mp3/wav/ogg/flac/aac/m4a/mp4/webm <= ${MAX_TRANSCRIBE_BYTES / 1024 / 1024} MiB`),
      model: modelField(cfg, "stt"),
      language: z
        .string()
        .max(MAX_ID)
        .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "language must be a language code such as en, zh or yue")
        .optional()
        .describe("e.g. zh; default auto"),
      prompt: z.string().max(2000).optional().describe("names and terms to expect"),
    },
    output: {
      model: z.string(),
      text: z.string(),
      language: z.string().optional(),
      duration_s: z.number().optional(),
      request_id: z.string().optional(),
    },
    annotations: GATEWAY_CALL,
    async run(args, ctx) {
      const { model, modelVar } = resolveModel(cfg, "stt", args.model);
      const guarded = modelsFileChecks(ctx, catalog, "stt", model, args);
      const audio = await loadInputBytes(
        ctx.app,
        args.audio,
        { field: "audio", accept: ["audio", "video"], maxBytes: MAX_TRANSCRIBE_BYTES },
        ctx.signal,
      );
      ctx.progress(`uploading ${audio.data.length} bytes of ${audio.mime} to ${model}`);
      const t = await guarded(() =>
        transcribe(
          client,
          {
            model,
            audio: audio.data,
            mime: audio.mime,
            filename: `audio.${extForMime(audio.mime) ?? "bin"}`,
            language: args.language,
            prompt: args.prompt,
          },
          { signal: ctx.signal, modelVar },
        ),
      );
      return result(t.text || "(no speech recognised)", { ...t });
    },
  });
}
