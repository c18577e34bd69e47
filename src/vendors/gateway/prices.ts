/**
 * List prices of the models the gateway's defaults and examples name (the gateway has no catalog:
 * the customer's routes decide which models exist). A gateway forwards to an upstream, so these are
 * Alibaba Cloud Model Studio (百炼) list prices, China (Beijing) region, in the currency each page
 * gives; the gateway instance is billed separately, not per call. Every figure is from the vendor's
 * own page (research read 2026-11-30; a page's own date where it shows one). A model not listed
 * here (qwen-plus tiers above the lowest, Qwen-TTS, cosyvoice-v1, text-embedding-v3 in Beijing,
 * text-embedding-v4 in CNY) has no price: its estimates are unknown until AIGC_MCP_PRICES_FILE gives
 * one, as for a gateway routing elsewhere or a contract price.
 */
import type { Source } from "../kit/catalog.js";
import type { Price, PriceEntry } from "../kit/price.js";

const READ = "2026-11-30";

const QWEN_BILLING: Source = {
  url: "https://help.aliyun.com/zh/model-studio/developer-reference/billing-for-applied-computer-vision",
  date: READ,
};
const EMBEDDING: Source = { url: "https://www.alibabacloud.com/help/en/model-studio/text-embedding-synchronous-api", date: "2026-03-24" };
const GTE_RERANK: Source = { url: "https://help.aliyun.com/document_detail/2780059.html", date: "2025-04-02" };
const QWEN3_RERANK: Source = { url: "https://www.alibabacloud.com/help/en/model-studio/qwen3-rerank", date: READ };
const COSYVOICE: Source = { url: "https://help.aliyun.com/zh/model-studio/cosyvoice-ios-sdk", date: READ };
const PARAFORMER: Source = { url: "https://help.aliyun.com/document_detail/2975509.html", date: "2025-08-14" };
const SENSEVOICE: Source = { url: "https://help.aliyun.com/zh/model-studio/developer-reference/sensevoice-api", date: "2025-08-27" };

const perMillionTokens = (currency: Price["currency"], amount: number, source: Source, note: string): Price => ({
  currency,
  unit: "million_tokens",
  rates: [{ amount }],
  source,
  confidence: "official",
  note,
});

const CHARACTER_RULE = "Each CJK character counts as 2 characters, everything else as 1; SSML tags are not counted.";
const perTenThousandCharacters = (amount: number, model: string): Price => ({
  currency: "CNY",
  unit: "ten_thousand_characters",
  rates: [{ amount }],
  source: COSYVOICE,
  confidence: "official",
  note: `${model}: ¥${amount} per 10 000 characters (模型与价格). ${CHARACTER_RULE}`,
});

const perSecondOfSpeech = (amount: number, source: Source, note: string): Price => ({
  currency: "CNY",
  unit: "second",
  rates: [{ amount }],
  source,
  confidence: "official",
  note,
});

export const GATEWAY_PRICES: PriceEntry[] = [
  {
    model: "qwen-plus",
    price: {
      currency: "CNY",
      unit: "million_tokens",
      // Input and output tokens are priced apart; thinking-mode output has a price of its own that was not found.
      rates: [
        { when: { tokens: "input" }, amount: 0.8 },
        { when: { tokens: "output", thinking: false }, amount: 2 },
      ],
      source: QWEN_BILLING,
      confidence: "official",
      note: "The lowest tier only (最低输入价格 ¥0.0008 / 最低输出价格 ¥0.002 per 1K tokens): the input-length tiers above it and the thinking-mode output price were not found on an official page, so a long input costs more than estimated and a thinking call's output is unknown. Batch calls cost half.",
    },
  },
  {
    model: "text-embedding-v4",
    price: perMillionTokens(
      "USD",
      0.072,
      EMBEDDING,
      "China (Beijing), in USD as the page gives it (the CNY price is unknown); Singapore $0.07/M. The free quota (1M tokens for 90 days) is not counted.",
    ),
  },
  {
    model: "gte-rerank-v2",
    price: perMillionTokens("CNY", 0.8, GTE_RERANK, "¥0.0008 per 1K input tokens (query and documents); no tiers."),
  },
  {
    model: "qwen3-rerank",
    price: perMillionTokens("USD", 0.069, QWEN3_RERANK, "China (Beijing), in USD as the page gives it; Singapore $0.1/M."),
  },
  { model: "cosyvoice-v2", price: perTenThousandCharacters(2, "cosyvoice-v2") },
  { model: "cosyvoice-v3-plus", price: perTenThousandCharacters(2, "cosyvoice-v3-plus") },
  { model: "cosyvoice-v3-flash", price: perTenThousandCharacters(1, "cosyvoice-v3-flash") },
  {
    model: "paraformer-v2",
    price: perSecondOfSpeech(
      0.00008,
      PARAFORMER,
      "Per second of speech (non-speech is not billed), ¥0.288 per hour; the free 36 000 s a month are not counted.",
    ),
  },
  {
    model: "paraformer-realtime-v2",
    price: perSecondOfSpeech(0.00024, PARAFORMER, "Per second of speech, from the same page as paraformer-v2."),
  },
  { model: "fun-asr", price: perSecondOfSpeech(0.00022, PARAFORMER, "Per second of speech, from the same page as paraformer-v2.") },
  {
    model: "sensevoice-v1",
    price: perSecondOfSpeech(
      0.0007,
      SENSEVOICE,
      "¥2.52 per hour of audio (= ¥0.0007/s); the free 10 h a month are not counted. The service is announced for retirement (即将下线).",
    ),
  },
];
