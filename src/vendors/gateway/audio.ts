/** Speech-to-text (multipart upload) and text-to-speech (the audio body, streamed on to the job engine). */
import type { PollResult } from "../../jobs/types.js";
import { discard } from "../../net/http.js";
import { loadUndici } from "../../net/undici.js";
import type { GatewayClient } from "./client.js";
import { GATEWAY_PATHS } from "./config.js";
import { GATEWAY } from "./errors.js";
import { malformedResponse } from "../kit/errors.js";

export const SPEECH_FORMATS = ["mp3", "wav", "opus", "aac", "flac"] as const;
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];
export const MAX_SPEECH_CHARS = 4096;
/** The OpenAI transcription upload limit; gateways in front of other models rarely allow more. */
export const MAX_TRANSCRIBE_BYTES = 25 * 1024 * 1024;

const FORMAT_MIME: Record<SpeechFormat, string> = {
  mp3: "audio/mpeg",
  wav: "audio/wav",
  opus: "audio/ogg",
  aac: "audio/aac",
  flac: "audio/flac",
};

export interface Transcript {
  model: string;
  text: string;
  language?: string;
  duration_s?: number;
  request_id?: string;
}

export async function transcribe(
  client: GatewayClient,
  req: { model: string; audio: Buffer; mime: string; filename: string; language?: string; prompt?: string },
  opts: { signal?: AbortSignal; modelVar?: string },
): Promise<Transcript> {
  const { FormData } = await loadUndici();
  const form = new FormData();
  form.append("file", new Blob([req.audio], { type: req.mime }), req.filename);
  form.append("model", req.model);
  form.append("response_format", "json");
  if (req.language) form.append("language", req.language);
  if (req.prompt) form.append("prompt", req.prompt);
  const { data, requestId } = await client.postJson(GATEWAY_PATHS.stt, form, { ...opts, maxBytes: 16 * 1024 * 1024 });
  if (typeof data.text !== "string") throw malformedResponse(GATEWAY, "the transcription answer has no text", { requestId });
  return {
    model: req.model,
    text: data.text,
    ...(typeof data.language === "string" ? { language: data.language } : {}),
    ...(typeof data.duration === "number" ? { duration_s: data.duration } : {}),
    ...(requestId ? { request_id: requestId } : {}),
  };
}

export function speechBody(req: {
  model: string;
  text: string;
  voice: string;
  format: SpeechFormat;
  speed?: number;
}): Record<string, unknown> {
  return {
    model: req.model,
    input: req.text,
    voice: req.voice,
    response_format: req.format,
    ...(req.speed !== undefined ? { speed: req.speed } : {}),
  };
}

/** Opens the speech request; the audio body is handed on unread for the engine to stream to disk. */
export async function openSpeech(
  client: GatewayClient,
  body: Record<string, unknown>,
  format: SpeechFormat,
  opts: { signal?: AbortSignal; modelVar?: string },
): Promise<PollResult> {
  const res = await client.open(GATEWAY_PATHS.tts, body, `${FORMAT_MIME[format]}, audio/*, application/octet-stream`, opts);
  if (!res.mime.startsWith("audio/") && res.mime !== "application/octet-stream" && res.mime !== "") {
    discard(res.body);
    throw malformedResponse(GATEWAY, `the speech endpoint answered with Content-Type ${res.mime} instead of audio`, {
      code: "NotAudio",
      requestId: res.requestId,
      hint: "Check that the gateway routes audio/speech to a text-to-speech model (AI_GATEWAY_TTS_MODEL).",
    });
  }
  // The engine sniffs the bytes; the declared type is only a fallback.
  return {
    status: "succeeded",
    outputs: [{ stream: res.body, mime: res.mime.startsWith("audio/") ? res.mime : FORMAT_MIME[format] }],
    ...(res.requestId ? { detail: `AI Gateway request id ${res.requestId}` } : {}),
  };
}
