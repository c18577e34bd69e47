/**
 * What a browser needs to know about an MP4, read from the container and the H.264 parameter set
 * (never from a MIME type): the codec of the first video sample entry, the frame size the SPS
 * codes (after cropping), the track header's size, the duration and the frame count. And a headless
 * Chromium probe that plays a video in a real `<video>` element.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface VideoFacts {
  /** The sample entry type of the first video track: avc1/avc3 (H.264), vp08/vp09, mp4v, jpeg, … */
  codec: string;
  /** `avc1.PPCCLL` from the avcC box (H.264 only). */
  codecString?: string;
  /** The frame size the H.264 SPS codes, cropping applied. */
  sps?: { width: number; height: number; profile: number };
  width: number;
  height: number;
  duration_s: number;
  frames: number;
}

interface Box {
  type: string;
  start: number;
  body: number;
  end: number;
}

function children(b: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  for (let p = start; p + 8 <= end;) {
    const size = b.readUInt32BE(p);
    if (size < 8 || p + size > end) throw new Error(`bad box at ${p}`);
    out.push({ type: b.toString("latin1", p + 4, p + 8), start: p, body: p + 8, end: p + size });
    p += size;
  }
  return out;
}

function child(b: Buffer, parent: Box, ...path: string[]): Box {
  let box = parent;
  for (const type of path) {
    const found = children(b, box.body, box.end).find((c) => c.type === type);
    if (!found) throw new Error(`no ${type} box in ${box.type}`);
    box = found;
  }
  return box;
}

/** Reads an SPS (baseline, main or extended profile: no chroma_format_idc) for the coded frame size. */
function parseSps(nal: Buffer): { width: number; height: number; profile: number } {
  const rbsp: number[] = [];
  for (let i = 1; i < nal.length; i++) {
    if (i >= 3 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue; // emulation prevention
    rbsp.push(nal[i]!);
  }
  let bit = 0;
  const u = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++, bit++) v = v * 2 + ((rbsp[bit >> 3]! >> (7 - (bit & 7))) & 1);
    return v;
  };
  const ue = () => {
    let zeros = 0;
    while (u(1) === 0) zeros++;
    return 2 ** zeros - 1 + u(zeros);
  };
  const profile = u(8);
  if (![66, 77, 88].includes(profile)) throw new Error(`profile ${profile} not parsed here`);
  u(16); // constraint flags, level
  ue(); // sps id
  ue(); // log2_max_frame_num_minus4
  const pocType = ue();
  if (pocType === 0) ue();
  else if (pocType === 1) {
    u(1);
    ue();
    ue();
    for (let n = ue(); n > 0; n--) ue();
  }
  ue(); // max_num_ref_frames
  u(1);
  const mbW = ue() + 1;
  const mapH = ue() + 1;
  const frameMbsOnly = u(1);
  if (!frameMbsOnly) u(1);
  u(1); // direct_8x8_inference_flag
  const crop = u(1) ? [ue(), ue(), ue(), ue()] : [0, 0, 0, 0];
  const heightMbs = (2 - frameMbsOnly) * mapH;
  return {
    profile,
    width: mbW * 16 - 2 * (crop[0]! + crop[1]!),
    height: heightMbs * 16 - 2 * (2 - frameMbsOnly) * (crop[2]! + crop[3]!),
  };
}

export function videoFacts(mp4: Buffer): VideoFacts {
  const top = { type: "file", start: 0, body: 0, end: mp4.length };
  const moov = child(mp4, top, "moov");
  const mvhd = child(mp4, moov, "mvhd");
  const duration_s = mp4.readUInt32BE(mvhd.body + 16) / mp4.readUInt32BE(mvhd.body + 12);
  const trak = children(mp4, moov.body, moov.end).find(
    (t) =>
      t.type === "trak" &&
      mp4.toString("latin1", child(mp4, t, "mdia", "hdlr").body + 8, child(mp4, t, "mdia", "hdlr").body + 12) === "vide",
  );
  if (!trak) throw new Error("no video track");
  const tkhd = child(mp4, trak, "tkhd");
  const stbl = child(mp4, trak, "mdia", "minf", "stbl");
  const stsd = child(mp4, stbl, "stsd");
  const entry = children(mp4, stsd.body + 8, stsd.end)[0]!;
  const stsz = child(mp4, stbl, "stsz");
  const facts: VideoFacts = {
    codec: entry.type,
    width: mp4.readUInt32BE(tkhd.body + 76) / 65536,
    height: mp4.readUInt32BE(tkhd.body + 80) / 65536,
    duration_s,
    frames: mp4.readUInt32BE(stsz.body + 8),
  };
  if (entry.type === "avc1" || entry.type === "avc3") {
    const avcC = children(mp4, entry.body + 78, entry.end).find((c) => c.type === "avcC");
    if (!avcC) throw new Error("avc1 without avcC");
    const a = mp4.subarray(avcC.body, avcC.end);
    facts.codecString = `${entry.type}.${[a[1]!, a[2]!, a[3]!].map((n) => n.toString(16).padStart(2, "0")).join("")}`;
    if ((a[5]! & 31) > 0) facts.sps = parseSps(a.subarray(8, 8 + a.readUInt16BE(6)));
  }
  return facts;
}

/** The Chromium binary on PATH, if any (Debian: `chromium`; `.ci/run` installs it). */
export function findChromium(): string | undefined {
  return ["chromium", "chromium-browser", "google-chrome"].find((b) => spawnSync("sh", ["-c", `command -v ${b}`]).status === 0);
}

export interface PlaybackReport {
  canPlayType: string;
  canplay: boolean;
  error?: string;
  videoWidth: number;
  videoHeight: number;
  duration: number;
  /** currentTime after playing for a moment (muted autoplay). */
  playedTo: number;
  /** The RGB of the decoded frame's centre pixel. */
  centre: number[];
}

const PAGE = (codec: string) => `<!doctype html><meta charset="utf-8"><body>
<video id="v" muted playsinline preload="auto" src="/video.mp4"></video>
<script>
const v = document.getElementById("v");
const report = (o) => fetch("/report", { method: "POST", body: JSON.stringify(o) });
const base = () => ({ canPlayType: v.canPlayType('video/mp4; codecs="${codec}"'), videoWidth: v.videoWidth, videoHeight: v.videoHeight, duration: v.duration });
v.addEventListener("error", () => report({ ...base(), canplay: false, error: v.error ? v.error.code + " " + v.error.message : "?" }));
v.addEventListener("canplay", () => {
  const c = document.createElement("canvas");
  c.width = v.videoWidth;
  c.height = v.videoHeight;
  const g = c.getContext("2d");
  g.drawImage(v, 0, 0);
  const centre = Array.from(g.getImageData(c.width >> 1, c.height >> 1, 1, 1).data.slice(0, 3));
  const t0 = performance.now();
  const done = () => report({ ...base(), canplay: true, playedTo: v.currentTime, centre });
  v.addEventListener("timeupdate", () => { if (v.currentTime > 0.25) done(); });
  setTimeout(done, 8000);
  v.play().catch((e) => report({ ...base(), canplay: true, error: "play: " + e, playedTo: v.currentTime, centre }));
}, { once: true });
</script>`;

/**
 * Serves `video` and a page with a `<video>` element on 127.0.0.1 (one origin, so the page can read
 * the decoded pixels), opens it in headless Chromium and returns what the page saw.
 */
export async function playInChromium(chromium: string, video: Buffer, codec: string, timeoutMs = 60_000): Promise<PlaybackReport> {
  let settle!: (r: PlaybackReport) => void;
  const reported = new Promise<PlaybackReport>((resolve) => (settle = resolve));
  const server: Server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/report") {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        res.end();
        settle(JSON.parse(body) as PlaybackReport);
      });
    } else if (req.url === "/video.mp4") {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": video.length, "accept-ranges": "none" });
      res.end(video);
    } else if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(PAGE(codec));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const profile = mkdtempSync(join(tmpdir(), "aigc-chromium-"));
  const browser = spawn(
    chromium,
    [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--autoplay-policy=no-user-gesture-required",
      `--user-data-dir=${profile}`,
      `http://127.0.0.1:${port}/`,
    ],
    { stdio: ["ignore", "ignore", "pipe"], detached: true }, // its own process group: the renderer and zygote go with it
  );
  let stderr = "";
  browser.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => browser.on("exit", (code) => reject(new Error(`chromium exited (${code}): ${stderr}`))));
  exited.catch(() => undefined); // it exits when killed below, after the race
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no report from chromium in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
  });
  try {
    return await Promise.race([reported, exited, timeout]);
  } finally {
    clearTimeout(timer);
    if (browser.pid !== undefined && browser.exitCode === null) process.kill(-browser.pid, "SIGKILL");
    await new Promise((r) => server.close(r));
    rmSync(profile, { recursive: true, force: true });
  }
}
