/**
 * The simulated Ark's own statement of the models it serves and the rules it applies, written from
 * Ark's documentation and the reports on it (vendor-apis §A, vendor-updates-2026-11 §2), never
 * from catalog.ts: a wrong catalog entry must disagree with this file and fail a test. Where the
 * sources leave a question open, the simulator takes the strict reading (e.g. it refuses
 * `sequential_image_generation` on models that make single images only) so the adapter is tested
 * against the harder vendor.
 */

/** Status words of the simulated `GET /models`. */
export type SimStatus = "Active" | "Retiring" | "Shutdown";

export interface SimSeedream {
  kind: "seedream";
  id: string;
  status: SimStatus;
  /** Size tiers accepted, exactly as spelt. */
  tiers: string[];
  /** Total pixels of a WIDTHxHEIGHT size. */
  pixels: [number, number];
  references: number;
  /** Whether `sequential_image_generation` is accepted at all. */
  groups: boolean;
  fast: boolean;
  thinking: boolean;
  /** `output_format` values; empty = the field is refused. */
  formats: string[];
}

export interface SimSeedance {
  kind: "seedance";
  id: string;
  status: SimStatus;
  durations: [number, number];
  /** duration -1: the model decides. */
  auto: boolean;
  resolutions: string[];
  /** Text-only requests. */
  text: boolean;
  frames: "first+last" | "first" | "none";
  /** At most this many reference images, videos, audios. */
  references: [number, number, number];
  audio: boolean;
  draft: boolean;
  formats: string[];
  cameraFixed: boolean;
  flex: boolean;
  /** asset://<id> references. */
  assets: boolean;
  /** Frames together with references when `omni_reference_task_type` says how. */
  mixing: boolean;
}

export type SimModel = SimSeedream | SimSeedance;

/** A model the simulator adds (or changes) for a test: given fields over permissive rules. */
export type ExtraModel = { id: string } & (
  ({ kind: "seedream" } & Partial<Omit<SimSeedream, "kind" | "id">>) | ({ kind: "seedance" } & Partial<Omit<SimSeedance, "kind" | "id">>)
);

const MP = 1_000_000;
const UPPER = ["1K", "2K", "3K", "4K"];

/** What an extra model (or an `ep-…` endpoint id) accepts unless told otherwise. */
export const OPEN_SEEDREAM: Omit<SimSeedream, "id"> = {
  kind: "seedream",
  status: "Active",
  tiers: [...UPPER, ...UPPER.map((t) => t.toLowerCase()), "adaptive"],
  pixels: [512 * 512, 6000 * 6000],
  references: 14,
  groups: true,
  fast: true,
  thinking: true,
  formats: ["png", "jpeg"],
};
export const OPEN_SEEDANCE: Omit<SimSeedance, "id"> = {
  kind: "seedance",
  status: "Active",
  durations: [1, 120],
  auto: true,
  resolutions: ["480p", "720p", "1080p", "4k"],
  text: true,
  frames: "first+last",
  references: [30, 10, 10],
  audio: true,
  draft: true,
  formats: ["mp4", "mov"],
  cameraFixed: true,
  flex: true,
  assets: true,
  mixing: true,
};

const SEEDREAM_4 = {
  kind: "seedream",
  pixels: [1280 * 720, 4096 * 4096],
  references: 14,
  groups: true,
  thinking: true,
  formats: [],
} satisfies Partial<SimSeedream>;
const SEEDREAM_5 = {
  kind: "seedream",
  pixels: [0.92 * MP, 4.62 * MP],
  references: 10,
  groups: false,
  fast: true,
  formats: ["png", "jpeg"],
} satisfies Partial<SimSeedream>;
const SEEDANCE_2 = {
  kind: "seedance",
  durations: [4, 15],
  auto: true,
  text: true,
  frames: "first+last",
  references: [9, 3, 3],
  audio: true,
  draft: false,
  formats: ["mp4"],
  cameraFixed: false,
  flex: false,
  assets: true,
  mixing: true,
} satisfies Partial<SimSeedance>;
const SEEDANCE_1 = {
  kind: "seedance",
  durations: [2, 12],
  auto: false,
  resolutions: ["480p", "720p", "1080p"],
  text: true,
  frames: "first+last",
  references: [0, 0, 0],
  audio: false,
  draft: false,
  formats: ["mp4"],
  cameraFixed: true,
  flex: true,
  assets: false,
  mixing: false,
} satisfies Partial<SimSeedance>;

/** Every model the simulated Ark knows, with its status on 2026-11-30. */
export const SIM_MODELS: SimModel[] = [
  // Seedream 5.0 Pro / Flash: single images only, 0.92-4.62 MP, 10 references; Flash has no thinking (ComfyUI; ARK-GO).
  { ...SEEDREAM_5, id: "doubao-seedream-5-0-pro-260628", status: "Active", tiers: ["1K", "2K"], thinking: true },
  { ...SEEDREAM_5, id: "doubao-seedream-5-0-flash-260915", status: "Active", tiers: ["1K", "2K"], thinking: false },
  // Seedream 4.0, new version: 1k/2k/4k in either case, no "adaptive" (3P reports).
  { ...SEEDREAM_4, id: "doubao-seedream-4-0-20260415", status: "Active", tiers: ["1K", "2K", "4K", "1k", "2k", "4k"], fast: true },
  { ...SEEDREAM_4, id: "doubao-seedream-4-0-250828", status: "Retiring", tiers: ["1K", "2K", "4K"], fast: true },
  // Shut down 2026-11-24 (Ark retirement batch 10).
  {
    ...SEEDREAM_4,
    id: "doubao-seedream-4-5-251128",
    status: "Shutdown",
    tiers: ["2K", "4K"],
    pixels: [2560 * 1440, 4096 * 4096],
    fast: false,
  },
  { ...SEEDREAM_4, id: "doubao-seedream-5-0-260128", status: "Shutdown", tiers: ["2K", "3K"], pixels: [3.68 * MP, 10.4 * MP], fast: false },
  {
    ...SEEDREAM_4,
    id: "doubao-seedream-5-0-lite-260128",
    status: "Shutdown",
    tiers: ["2K", "3K"],
    pixels: [3.68 * MP, 10.4 * MP],
    fast: false,
  },
  // Deactivated on BytePlus 2026-05-13; still listed here as retiring.
  {
    ...SEEDREAM_4,
    id: "doubao-seedream-3-0-t2i-250415",
    status: "Retiring",
    tiers: [],
    pixels: [512 * 512, 2048 * 2048],
    references: 0,
    groups: false,
    fast: false,
  },
  {
    ...SEEDREAM_4,
    id: "doubao-seededit-3-0-i2i-250628",
    status: "Retiring",
    tiers: ["adaptive"],
    pixels: [512 * 512, 2048 * 2048],
    references: 1,
    groups: false,
    fast: false,
  },
  // Seedance 2.5: 4-30 s, 480p-1080p, 30/10/10 references, drafts, mp4/mov (OpenMontage, ComfyUI).
  {
    ...SEEDANCE_2,
    id: "doubao-seedance-2-5-260628",
    status: "Active",
    durations: [4, 30],
    resolutions: ["480p", "720p", "1080p"],
    references: [30, 10, 10],
    draft: true,
    formats: ["mp4", "mov"],
    cameraFixed: true,
    flex: true,
  },
  { ...SEEDANCE_2, id: "doubao-seedance-2-0-260128", status: "Active", resolutions: ["480p", "720p", "1080p", "4k"] },
  { ...SEEDANCE_2, id: "doubao-seedance-2-0-fast-260128", status: "Active", resolutions: ["480p", "720p"] },
  { ...SEEDANCE_2, id: "doubao-seedance-2-0-mini-260615", status: "Active", resolutions: ["480p", "720p"] },
  // 1.5 Pro shut down 2026-11-11; 1.0 Pro / Pro Fast 2026-11-24.
  { ...SEEDANCE_1, id: "doubao-seedance-1-5-pro-251215", status: "Shutdown", durations: [4, 12], auto: true, audio: true, draft: true },
  { ...SEEDANCE_1, id: "doubao-seedance-1-0-pro-250528", status: "Shutdown" },
  { ...SEEDANCE_1, id: "doubao-seedance-1-0-pro-fast-251015", status: "Shutdown", frames: "first" },
  // 1.0 Lite: deactivated on BytePlus 2026-05-13; text-only and image-only variants.
  { ...SEEDANCE_1, id: "doubao-seedance-1-0-lite-t2v-250428", status: "Retiring", frames: "none" },
  { ...SEEDANCE_1, id: "doubao-seedance-1-0-lite-i2v-250428", status: "Retiring", text: false, references: [4, 0, 0] },
];

/** The built-in models with the extra ones added, or merged over a built-in model of the same id. */
export function simModels(extra: readonly ExtraModel[] = []): SimModel[] {
  const out = SIM_MODELS.map((m) => ({ ...m }));
  for (const e of extra) {
    const i = out.findIndex((m) => m.id === e.id);
    const base = i >= 0 && out[i]!.kind === e.kind ? out[i]! : e.kind === "seedream" ? OPEN_SEEDREAM : OPEN_SEEDANCE;
    const merged = { ...base, ...e } as SimModel;
    if (i >= 0) out[i] = merged;
    else out.push(merged);
  }
  return out;
}
