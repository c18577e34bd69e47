import { z } from "zod";
import { idText } from "../bounds.js";
import { extForMime } from "../../media/sniff.js";
import { MAX_TRANSCRIBE_BYTES, transcribe } from "../../vendors/gateway/audio.js";
import type { GatewayClient } from "../../vendors/gateway/client.js";
import { defineTool } from "../define.js";
import { MAX_ID, MAX_MEDIA_REF, loadInput, loadInputBytes } from "../media-inputs.js";
import { readableHere } from "../../media/inputs.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { GATEWAY_CALL, gatewayQuote, modelField, modelsFileChecks, resolveModel, result } from "./common.js";
import { probeBytes } from "../../media/sniff.js";
import { transcribeMeters } from "../../vendors/gateway/pricing.js";
import type { PriceBook } from "../../vendors/kit/price.js";

const AUDIO_RULE = { field: "audio", accept: ["audio" as const, "video" as const], maxBytes: MAX_TRANSCRIBE_BYTES };

export function gatewayTranscribe(client: GatewayClient, book: PriceBook, catalog?: Catalog) {
  const cfg = client.cfg;
  return defineTool({
    name: "gateway_transcribe",
    title: "AI Gateway speech-to-text",
    description: `Transcribes an audio file with a speech-to-text model via your AI Gateway. Paid per second of audio.`,
    input: {
      audio: z
        .string()
        .min(1)
        .max(MAX_MEDIA_REF)
        .describe(`mp3/wav/ogg/flac/aac/m4a/mp4/webm <= ${MAX_TRANSCRIBE_BYTES / 1024 / 1024} MiB`),
      model: modelField(cfg, "stt"),
      language: idText(MAX_ID)
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
    quote(args, ctx) {
      const { model } = resolveModel(cfg, "stt", args.model);
      // The duration is read from the audio when it is here (a file, media:// or data: URI, this server's own download link); another URL is not downloaded for a quote.
      return gatewayQuote(book, "stt", model, async () => {
        const here = readableHere(args.audio, ctx.app.inputs);
        if (here === undefined)
          return {
            problem:
              "the audio is a URL (or another reference this server does not read), so its duration is not known before the call; pass a local file or data: URI for an estimate",
          };
        const audio = await loadInput(ctx, here, AUDIO_RULE);
        const seconds = audio?.kind === "bytes" ? (await probeBytes(Buffer.from(audio.data)))?.duration_s : undefined;
        if (seconds === undefined)
          return { problem: "the duration of the audio could not be read from the file, so the seconds billed are not known" };
        return { meters: transcribeMeters(seconds) };
      });
    },
    async run(args, ctx) {
      const { model, modelVar } = resolveModel(cfg, "stt", args.model);
      const guarded = modelsFileChecks(ctx, catalog, "stt", model, args);
      const audio = await loadInputBytes(ctx, args.audio, AUDIO_RULE);
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
