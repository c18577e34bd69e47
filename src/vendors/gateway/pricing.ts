/**
 * What a gateway call is metered in, from the request the tool is about to send, and the actual
 * cost of a chat from the usage the gateway reports. Model Studio bills (prices.ts sources):
 * chat per million input and per million output tokens; embeddings and rerank per million input
 * tokens; speech synthesis (CosyVoice) per 10 000 characters, a CJK character counting 2; speech
 * recognition per second of speech.
 *
 * Token counts cannot be known before a call (the tokenizer is the upstream's), so the meters count
 * one token per character of the text sent: an upper bound for Qwen's tokenizer, which packs a
 * CJK character or several Latin letters into one token, plus an allowance for the chat template. A
 * chat's output counts up to max_tokens; without it the output is not counted and the estimate is
 * a lower bound. No MCP types here.
 */
import { formatMoney, pickRate, roundMoney, type Actual, type Meter, type Price } from "../kit/price.js";
import type { ChatMessage, ChatUsage } from "./chat.js";

const TOKEN_RULE = "1 token per character, an upper bound for ordinary text";
const M = 1_000_000;

/** Characters as the user sees them (code points, so an emoji is one). */
export const characters = (text: string): number => Array.from(text).length;

/** "1 character", "12 345 characters". */
const countOf = (n: number, noun: string): string => `${spaced(n)} ${noun}${n === 1 ? "" : "s"}`;

const spaced = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");

function tokenMeter(chars: number, what: string, dims?: Meter["dims"], part?: string): Meter {
  return {
    quantity: chars / M,
    ...(dims ? { dims } : {}),
    ...(part ? { part } : {}),
    how: `${countOf(chars, "character")} of ${what} (${TOKEN_RULE})`,
  };
}

/**
 * The chat template's tokens, which the gateway counts as input around the messages (role markers,
 * the reply's opening, a default system prompt some templates add): an allowance per message and
 * per call, generous for the ChatML templates Qwen uses (about 5 per message and 3 per call, ~20
 * for a default system prompt), so the input meter stays an upper bound.
 */
export const TEMPLATE_TOKENS = { perMessage: 16, perCall: 32 } as const;

/**
 * A chat: input tokens (every message's content as sent, the JSON note included, and the template's
 * allowance) and output tokens up to `max_tokens`. The output rate depends on thinking mode
 * (`enable_thinking`). Without max_tokens the answer's length is unknown: it is left out, and
 * `lowerBound` and `unbounded` say so (a budget or max_cost cannot hold such a call).
 */
export function chatMeters(
  messages: ChatMessage[],
  maxTokens: number | undefined,
  thinking: boolean,
): { meters: Meter[]; lowerBound?: string; unbounded?: string } {
  const chars = messages.reduce((n, m) => n + characters(m.content), 0);
  const template = TEMPLATE_TOKENS.perCall + TEMPLATE_TOKENS.perMessage * messages.length;
  const input = tokenMeter(chars + template, "messages", { tokens: "input" }, "input");
  input.how = `${countOf(chars, "character")} of messages (${TOKEN_RULE}) + ${template} tokens for the chat template (${messages.length} message${messages.length === 1 ? "" : "s"})`;
  if (maxTokens === undefined)
    return {
      meters: [input],
      lowerBound: "the answer's output tokens (no max_tokens given, so their number is not known before the call)",
      unbounded: "max_tokens",
    };
  const output: Meter = {
    quantity: maxTokens / M,
    dims: { tokens: "output", thinking },
    part: "output",
    how: `up to max_tokens ${spaced(maxTokens)} output tokens`,
  };
  return { meters: [input, output] };
}

/** Embeddings: every text's characters as tokens. */
export const embedMeters = (texts: string[]): Meter[] => [
  tokenMeter(
    texts.reduce((n, t) => n + characters(t), 0),
    `${texts.length} text(s)`,
  ),
];

/** Rerank: the query and every document, as tokens. */
export const rerankMeters = (query: string, documents: string[]): Meter[] => [
  tokenMeter(characters(query) + documents.reduce((n, d) => n + characters(d), 0), `the query and ${documents.length} document(s)`),
];

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Billed characters of a speech text: each CJK character counts 2, everything else 1 (CosyVoice's rule). */
export function speechCharacters(text: string): number {
  let n = 0;
  for (const ch of text) n += CJK.test(ch) ? 2 : 1;
  return n;
}

export function speechMeters(text: string): Meter[] {
  const n = speechCharacters(text);
  return [{ quantity: n / 10_000, how: `${countOf(n, "character")} (CJK characters count 2)` }];
}

/** Transcription: the audio's seconds (speech is billed, silence not, so the whole duration is an upper bound). */
export function transcribeMeters(seconds: number): Meter[] {
  const s = Math.round(seconds * 1000) / 1000;
  return [{ quantity: s, how: `${s} s of audio (only speech is billed, so an upper bound)` }];
}

/**
 * The actual cost of a chat from the usage the gateway reported: input tokens at the input rate plus
 * output tokens at the output rate (thinking or not). Undefined without usage or without both rates.
 */
export function chatActual(price: Price | undefined, usage: ChatUsage | undefined, thinking: boolean): Actual | undefined {
  if (!price || price.unit !== "million_tokens" || !usage) return undefined;
  const input = usage.prompt_tokens;
  const output = usage.completion_tokens;
  if (typeof input !== "number" || typeof output !== "number") return undefined;
  const inRate = pickRate(price, { tokens: "input" });
  const outRate = pickRate(price, { tokens: "output", thinking });
  if (!inRate || !outRate) return undefined;
  const amount = roundMoney((input * inRate.amount + output * outRate.amount) / M);
  const money = (a: number) => formatMoney(a, price.currency);
  return {
    amount,
    currency: price.currency,
    basis: `${spaced(input)} input tokens × ${money(inRate.amount)}/M tokens + ${spaced(output)} output tokens × ${money(outRate.amount)}/M tokens reported by the gateway = ${money(amount)}`,
  };
}
