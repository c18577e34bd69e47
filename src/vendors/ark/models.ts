/**
 * What each known Ark model accepts. Data, not code: unknown model ids (new releases, ep-…
 * endpoint ids) are passed through and only the generic ranges apply.
 */
export interface SeedreamModel {
  id: string;
  label: string;
  /** Allowed size tiers; empty = only WxH. */
  tiers: string[];
  minPixels: number;
  maxPixels: number;
  maxReferenceImages: number;
  groups: boolean;
  fastPromptOptimization: boolean;
}

export const SEEDREAM_MODELS: SeedreamModel[] = [
  {
    id: "doubao-seedream-4-5-251128",
    label: "Seedream 4.5",
    tiers: ["2K", "4K"],
    minPixels: 2560 * 1440,
    maxPixels: 4096 * 4096,
    maxReferenceImages: 14,
    groups: true,
    fastPromptOptimization: false,
  },
  {
    id: "doubao-seedream-4-0-250828",
    label: "Seedream 4.0",
    tiers: ["1K", "2K", "4K"],
    minPixels: 1280 * 720,
    maxPixels: 4096 * 4096,
    maxReferenceImages: 14,
    groups: true,
    fastPromptOptimization: true,
  },
  {
    id: "doubao-seedream-5-0-260128",
    label: "Seedream 5.0 Lite",
    tiers: ["2K", "3K"],
    minPixels: 1280 * 720,
    maxPixels: 4096 * 4096,
    maxReferenceImages: 14,
    groups: true,
    fastPromptOptimization: false,
  },
  {
    id: "doubao-seedream-5-0-lite-260128",
    label: "Seedream 5.0 Lite",
    tiers: ["2K", "3K"],
    minPixels: 1280 * 720,
    maxPixels: 4096 * 4096,
    maxReferenceImages: 14,
    groups: true,
    fastPromptOptimization: false,
  },
  {
    id: "doubao-seedream-3-0-t2i-250415",
    label: "Seedream 3.0 text-to-image",
    tiers: [],
    minPixels: 512 * 512,
    maxPixels: 2048 * 2048,
    maxReferenceImages: 0,
    groups: false,
    fastPromptOptimization: false,
  },
  {
    id: "doubao-seededit-3-0-i2i-250628",
    label: "SeedEdit 3.0",
    tiers: ["adaptive"],
    minPixels: 512 * 512,
    maxPixels: 2048 * 2048,
    maxReferenceImages: 1,
    groups: false,
    fastPromptOptimization: false,
  },
];

export interface SeedanceModel {
  id: string;
  label: string;
  family: "2.0" | "1.5-pro" | "1.0-pro" | "1.0-pro-fast" | "1.0-lite-t2v" | "1.0-lite-i2v";
  durations: { min: number; max: number; auto: boolean };
  resolutions: string[];
  textToVideo: boolean;
  firstFrame: boolean;
  lastFrame: boolean;
  /** Max reference images (0 = reference mode unsupported). */
  referenceImages: number;
  referenceMedia: boolean;
  audio: boolean;
  draft: boolean;
  adaptiveForText: boolean;
}

export const SEEDANCE_MODELS: SeedanceModel[] = [
  {
    id: "doubao-seedance-2-0-260128",
    label: "Seedance 2.0",
    family: "2.0",
    durations: { min: 4, max: 15, auto: true },
    resolutions: ["480p", "720p"],
    textToVideo: true,
    firstFrame: true,
    lastFrame: true,
    referenceImages: 9,
    referenceMedia: true,
    audio: true,
    draft: false,
    adaptiveForText: true,
  },
  {
    id: "doubao-seedance-2-0-fast-260128",
    label: "Seedance 2.0 Fast",
    family: "2.0",
    durations: { min: 4, max: 15, auto: true },
    resolutions: ["480p", "720p"],
    textToVideo: true,
    firstFrame: true,
    lastFrame: true,
    referenceImages: 9,
    referenceMedia: true,
    audio: true,
    draft: false,
    adaptiveForText: true,
  },
  {
    id: "doubao-seedance-1-5-pro-251215",
    label: "Seedance 1.5 Pro",
    family: "1.5-pro",
    durations: { min: 4, max: 12, auto: true },
    resolutions: ["480p", "720p", "1080p"],
    textToVideo: true,
    firstFrame: true,
    lastFrame: true,
    referenceImages: 0,
    referenceMedia: false,
    audio: true,
    draft: true,
    adaptiveForText: true,
  },
  {
    id: "doubao-seedance-1-0-pro-250528",
    label: "Seedance 1.0 Pro",
    family: "1.0-pro",
    durations: { min: 2, max: 12, auto: false },
    resolutions: ["480p", "720p", "1080p"],
    textToVideo: true,
    firstFrame: true,
    lastFrame: true,
    referenceImages: 0,
    referenceMedia: false,
    audio: false,
    draft: false,
    adaptiveForText: false,
  },
  {
    id: "doubao-seedance-1-0-pro-fast-251015",
    label: "Seedance 1.0 Pro Fast",
    family: "1.0-pro-fast",
    durations: { min: 2, max: 12, auto: false },
    resolutions: ["480p", "720p", "1080p"],
    textToVideo: true,
    firstFrame: true,
    lastFrame: false,
    referenceImages: 0,
    referenceMedia: false,
    audio: false,
    draft: false,
    adaptiveForText: false,
  },
  {
    id: "doubao-seedance-1-0-lite-t2v-250428",
    label: "Seedance 1.0 Lite (text)",
    family: "1.0-lite-t2v",
    durations: { min: 2, max: 12, auto: false },
    resolutions: ["480p", "720p", "1080p"],
    textToVideo: true,
    firstFrame: false,
    lastFrame: false,
    referenceImages: 0,
    referenceMedia: false,
    audio: false,
    draft: false,
    adaptiveForText: false,
  },
  {
    id: "doubao-seedance-1-0-lite-i2v-250428",
    label: "Seedance 1.0 Lite (image)",
    family: "1.0-lite-i2v",
    durations: { min: 2, max: 12, auto: false },
    resolutions: ["480p", "720p", "1080p"],
    textToVideo: false,
    firstFrame: true,
    lastFrame: true,
    referenceImages: 4,
    referenceMedia: false,
    audio: false,
    draft: false,
    adaptiveForText: false,
  },
];

export const findSeedream = (id: string) => SEEDREAM_MODELS.find((m) => m.id === id);
export const findSeedance = (id: string) => SEEDANCE_MODELS.find((m) => m.id === id);
