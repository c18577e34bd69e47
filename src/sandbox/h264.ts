/**
 * A browser-playable MP4 (H.264 Constrained Baseline in ISO BMFF) made in a few milliseconds, for
 * the simulators' videos: no encoder library and no ffmpeg at run time.
 *
 * The first frame is an IDR picture of I_PCM macroblocks (raw YCbCr samples, so no transform or
 * entropy coding is needed) showing the same colour pattern as the PNG and JPEG fixtures for `seed`.
 * Every later frame is a non-reference P picture that copies that IDR through one motion vector
 * (P_L0_16x16, no residual): the picture drifts round a small circle, so the video visibly moves
 * while the file stays about one raw frame in size. Non-reference P pictures all predict from the
 * IDR (the only picture in the decoded picture buffer), so the motion never smears.
 */

// ---------- bits ----------
class Bits {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  u(value: number, bits: number): this {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | (Math.floor(value / 2 ** i) & 1);
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
    return this;
  }
  /** Exp-Golomb unsigned. */
  ue(value: number): this {
    const len = Math.floor(Math.log2(value + 1));
    return this.u(0, len).u(value + 1, len + 1);
  }
  /** Exp-Golomb signed. */
  se(value: number): this {
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }
  align(): this {
    while (this.n !== 0) this.u(0, 1);
    return this;
  }
  raw(data: Uint8Array): this {
    if (this.n !== 0) throw new Error("raw bytes need byte alignment");
    for (const b of data) this.bytes.push(b);
    return this;
  }
  /** rbsp_trailing_bits, then the RBSP. */
  trailing(): Buffer {
    this.u(1, 1).align();
    return Buffer.from(this.bytes);
  }
}

/** A NAL unit (header byte, then the RBSP with emulation prevention bytes). */
function nal(refIdc: number, type: number, rbsp: Buffer): Buffer {
  const out: number[] = [(refIdc << 5) | type];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

// ---------- H.264 ----------
/** [level_idc, MaxFS (macroblocks per frame), MaxMBPS (macroblocks per second)], Table A-1. */
const LEVELS: ReadonlyArray<readonly [number, number, number]> = [
  [30, 1620, 40500],
  [31, 3600, 108000],
  [32, 5120, 216000],
  [40, 8192, 245760],
  [42, 8704, 522240],
  [50, 22080, 589824],
  [51, 36864, 983040],
];
const PROFILE_BASELINE = 66;
const CONSTRAINT_FLAGS = 0xc0; // constraint_set0 and constraint_set1: Constrained Baseline
const LOG2_MAX_POC_LSB = 16;

interface Geometry {
  width: number;
  height: number;
  mbW: number;
  mbH: number;
  level: number;
}

function geometry(width: number, height: number, fps: number): Geometry {
  const mbW = Math.ceil(width / 16);
  const mbH = Math.ceil(height / 16);
  const mbs = mbW * mbH;
  const level = (LEVELS.find(([, fs, mbps]) => mbs <= fs && mbs * fps <= mbps) ?? LEVELS.at(-1)!)[0];
  return { width, height, mbW, mbH, level };
}

function sps(g: Geometry): Buffer {
  const b = new Bits()
    .u(PROFILE_BASELINE, 8)
    .u(CONSTRAINT_FLAGS, 8)
    .u(g.level, 8)
    .ue(0) // seq_parameter_set_id
    .ue(0) // log2_max_frame_num_minus4
    .ue(0) // pic_order_cnt_type
    .ue(LOG2_MAX_POC_LSB - 4)
    .ue(1) // max_num_ref_frames
    .u(0, 1) // gaps_in_frame_num_value_allowed_flag
    .ue(g.mbW - 1)
    .ue(g.mbH - 1)
    .u(1, 1) // frame_mbs_only_flag
    .u(1, 1); // direct_8x8_inference_flag
  const cropRight = (g.mbW * 16 - g.width) / 2;
  const cropBottom = (g.mbH * 16 - g.height) / 2;
  if (cropRight || cropBottom) b.u(1, 1).ue(0).ue(cropRight).ue(0).ue(cropBottom);
  else b.u(0, 1);
  b.u(1, 1) // vui_parameters_present_flag
    .u(0, 1) // aspect_ratio_info_present_flag
    .u(0, 1) // overscan_info_present_flag
    .u(1, 1) // video_signal_type_present_flag
    .u(5, 3) // video_format: unspecified
    .u(0, 1) // video_full_range_flag: limited range, as the samples are
    .u(1, 1) // colour_description_present_flag
    .u(6, 8) // colour_primaries: SMPTE 170M
    .u(6, 8) // transfer_characteristics
    .u(6, 8) // matrix_coefficients: BT.601, as the samples are
    .u(0, 1) // chroma_loc_info_present_flag
    .u(0, 1) // timing_info_present_flag (the MP4 sample table has the timing)
    .u(0, 1) // nal_hrd_parameters_present_flag
    .u(0, 1) // vcl_hrd_parameters_present_flag
    .u(0, 1) // pic_struct_present_flag
    .u(1, 1) // bitstream_restriction_flag: no reordering, so a decoder outputs each frame at once
    .u(1, 1) // motion_vectors_over_pic_boundaries_flag
    .ue(0) // max_bytes_per_pic_denom
    .ue(0) // max_bits_per_mb_denom
    .ue(10) // log2_max_mv_length_horizontal
    .ue(10) // log2_max_mv_length_vertical
    .ue(0) // max_num_reorder_frames
    .ue(1); // max_dec_frame_buffering
  return nal(3, 7, b.trailing());
}

function pps(): Buffer {
  const b = new Bits()
    .ue(0) // pic_parameter_set_id
    .ue(0) // seq_parameter_set_id
    .u(0, 1) // entropy_coding_mode_flag: CAVLC
    .u(0, 1) // bottom_field_pic_order_in_frame_present_flag
    .ue(0) // num_slice_groups_minus1
    .ue(0) // num_ref_idx_l0_default_active_minus1
    .ue(0) // num_ref_idx_l1_default_active_minus1
    .u(0, 1) // weighted_pred_flag
    .u(0, 2) // weighted_bipred_idc
    .se(0) // pic_init_qp_minus26
    .se(0) // pic_init_qs_minus26
    .se(0) // chroma_qp_index_offset
    .u(1, 1) // deblocking_filter_control_present_flag
    .u(0, 1) // constrained_intra_pred_flag
    .u(0, 1); // redundant_pic_cnt_present_flag
  return nal(3, 8, b.trailing());
}

const clip = (v: number) => Math.min(235, Math.max(16, Math.round(v)));

/** The fixtures' colour pattern (the same as the PNG's), as limited-range BT.601 Y, Cb, Cr. */
function ycc(x: number, y: number, seed: number): [number, number, number] {
  const r = (x * 2 + seed * 37) & 255;
  const g = (y * 2 + seed * 11) & 255;
  const b = (x + y + seed * 5) & 255;
  return [
    clip(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255),
    clip(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255),
    clip(128 + (112 * r - 93.786 * g - 18.214 * b) / 255),
  ];
}

function sliceHeader(b: Bits, idr: boolean, pocLsb: number): void {
  b.ue(0) // first_mb_in_slice
    .ue(idr ? 7 : 5) // slice_type: I or P (every slice of the picture)
    .ue(0) // pic_parameter_set_id
    .u(idr ? 0 : 1, 4); // frame_num: the IDR is the only reference picture, so every P picture has 1
  if (idr) b.ue(0); // idr_pic_id
  b.u(pocLsb, LOG2_MAX_POC_LSB);
  if (!idr) b.u(0, 1).u(0, 1); // num_ref_idx_active_override_flag, ref_pic_list_modification_flag_l0
  if (idr) b.u(0, 1).u(0, 1); // dec_ref_pic_marking: no_output_of_prior_pics_flag, long_term_reference_flag
  b.se(0) // slice_qp_delta
    .ue(1); // disable_deblocking_filter_idc: off (nothing to smooth)
}

function idrSlice(g: Geometry, seed: number): Buffer {
  const b = new Bits();
  sliceHeader(b, true, 0);
  const luma = new Uint8Array(256);
  const cb = new Uint8Array(64);
  const cr = new Uint8Array(64);
  for (let my = 0; my < g.mbH; my++) {
    for (let mx = 0; mx < g.mbW; mx++) {
      b.ue(25).align(); // mb_type I_PCM, pcm_alignment_zero_bits
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) luma[y * 16 + x] = ycc(mx * 16 + x, my * 16 + y, seed)[0];
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const [, u, v] = ycc(mx * 16 + x * 2, my * 16 + y * 2, seed);
          cb[y * 8 + x] = u;
          cr[y * 8 + x] = v;
        }
      }
      b.raw(luma).raw(cb).raw(cr);
    }
  }
  return nal(3, 5, b.trailing());
}

/** A non-reference P picture: every macroblock P_L0_16x16 with motion vector (dx, dy) pixels and no residual. */
function pSlice(g: Geometry, frame: number, dx: number, dy: number): Buffer {
  const b = new Bits();
  sliceHeader(b, false, (2 * frame) % 2 ** LOG2_MAX_POC_LSB);
  for (let i = 0; i < g.mbW * g.mbH; i++) {
    // The first macroblock's predictor is (0, 0); every other one predicts the same vector, so its difference is 0.
    const first = i === 0;
    b.ue(0) // mb_skip_run
      .ue(0) // mb_type P_L0_16x16
      .se(first ? dx * 4 : 0) // mvd_l0 x, quarter samples
      .se(first ? dy * 4 : 0) // mvd_l0 y
      .ue(0); // coded_block_pattern 0 (inter codeNum 0)
  }
  return nal(0, 1, b.trailing());
}

/** The avcC box body: SPS and PPS out of band, 4-byte NAL lengths. */
function avcC(spsNal: Buffer, ppsNal: Buffer, level: number): Buffer {
  const len = (n: Buffer) => Buffer.from([n.length >> 8, n.length & 255]);
  return Buffer.concat([
    Buffer.from([1, PROFILE_BASELINE, CONSTRAINT_FLAGS, level, 0xff, 0xe1]),
    len(spsNal),
    spsNal,
    Buffer.from([1]),
    len(ppsNal),
    ppsNal,
  ]);
}

/** The `avc1.PPCCLL` codec string of a stream these options make (what a browser's canPlayType is asked). */
export function h264Codec(width: number, height: number, fps: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return `avc1.${hex(PROFILE_BASELINE)}${hex(CONSTRAINT_FLAGS)}${hex(geometry(width, height, fps).level)}`;
}

export interface H264Stream {
  /** The avcC box (sample description extension). */
  avcC: Buffer;
  /** One sample per frame: a 4-byte length, then the slice NAL unit. */
  samples: Buffer[];
}

/** Encoded streams kept for reuse, oldest first, up to CACHE_BYTES in all. */
const cache = new Map<string, H264Stream>();
const CACHE_BYTES = 16 * 1024 * 1024;
let cachedBytes = 0;
const streamBytes = (s: H264Stream) => s.samples.reduce((n, b) => n + b.length, s.avcC.length);

/**
 * `count` frames of `width` x `height` (even numbers). The same arguments give the same stream, kept
 * (16 MiB in all) and handed out again: this plain-JavaScript encoder takes ~65 ms for a 5 s clip,
 * which a simulator sharing the machine with the server it serves must not spend on every video.
 * Callers copy the buffers (makeMp4 concatenates them) and never write into them.
 */
export function encodeH264(width: number, height: number, count: number, fps: number, seed: number): H264Stream {
  const key = `${width}x${height}:${count}@${fps}#${seed}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const stream = encode(width, height, count, fps, seed);
  cache.set(key, stream);
  cachedBytes += streamBytes(stream);
  for (const [k, s] of cache) {
    if (cachedBytes <= CACHE_BYTES) break;
    cache.delete(k);
    cachedBytes -= streamBytes(s);
  }
  return stream;
}

function encode(width: number, height: number, count: number, fps: number, seed: number): H264Stream {
  if (width % 2 || height % 2 || width < 2 || height < 2) throw new Error(`H.264 4:2:0 needs an even frame size, got ${width}x${height}`);
  if (count > 2 ** (LOG2_MAX_POC_LSB - 2)) throw new Error(`at most ${2 ** (LOG2_MAX_POC_LSB - 2)} frames`);
  const g = geometry(width, height, fps);
  const radius = Math.max(1, Math.min(8, Math.floor(Math.min(width, height) / 8)));
  const frames = [idrSlice(g, seed)];
  for (let i = 1; i < count; i++) {
    const a = (2 * Math.PI * i) / Math.max(count, 2);
    frames.push(pSlice(g, i, Math.round(radius * Math.sin(a)), Math.round(radius * (1 - Math.cos(a)))));
  }
  const withLength = (n: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(n.length);
    return Buffer.concat([head, n]);
  };
  return { avcC: avcC(sps(g), pps(), g.level), samples: frames.map(withLength) };
}
