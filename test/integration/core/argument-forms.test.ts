/** Issue 12 items 1-2: numbers, booleans and lists as clients really send them (strings), accepted once for every tool. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deflateSync } from "node:zlib";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { MAX_ARGUMENT_DEPTH } from "../../../src/tools/arguments.js";
import { DEFAULT_MODELS } from "../../../src/vendors/ark/catalog.js";
import { startHarness, structured, text, type Harness } from "../../helpers/harness.js";
import { lastRequest, mark } from "../../helpers/results.js";

/** A valid w×h grey PNG as a data: URI. */
function png(w = 64, h = 64): string {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  const raw = Buffer.alloc((w + 1) * h, 0x80);
  for (let y = 0; y < h; y++) raw[y * (w + 1)] = 0;
  const bytes = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${bytes.toString("base64")}`;
}

describe("argument forms clients send", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("takes numbers and booleans as strings, then applies the same checks", async () => {
    const k = mark(h.sandbox.kling);
    const r = await h.call("kling_text_to_video", { prompt: "a cat walking on a beach", duration: "5", wait_seconds: "1" });
    expect(text(r)).not.toMatch(/expected number/);
    expect(r.isError).toBeFalsy();
    const body = k.since().find((q) => q.method === "POST")?.json as Record<string, unknown>;
    expect(String(body.duration)).toBe("5");

    const s = await h.call("seedream_generate_image", { prompt: "a red panda", seed: "42", watermark: "false", wait_seconds: "30" });
    expect(s.isError).toBeFalsy();
    const sent = lastRequest(h.ark, "/images/generations").json as Record<string, unknown>;
    expect(sent.seed).toBe(42);
    expect(sent.watermark).toBe(false);

    const bad = await h.call("kling_text_to_video", { prompt: "x", duration: "abc" });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/duration/);
    const range = await h.call("seedream_generate_image", { prompt: "x", max_images: "99" });
    expect(range.isError).toBe(true);
    expect(text(range)).toMatch(/max_images/);
    // Only a plain decimal is a number: no padding, no exponent, no hex (item 1: "a string holding a plain decimal number").
    const m = mark(h.ark);
    for (const [seed, got] of [
      [" 5 ", '" 5 "'],
      ["1e1", '"1e1"'],
      ["0x10", '"0x10"'],
      ["5.", '"5."'],
    ] as const) {
      const r = await h.call("seedream_generate_image", { prompt: "x", seed });
      expect(r.isError, seed).toBe(true);
      expect(text(r), seed).toContain(`Error: InvalidInput: seed: must be a plain decimal number such as 42 (got ${got})`);
    }
    expect(m.since("/images/generations")).toHaveLength(0);
    const signed = await h.call("seedream_generate_image", { prompt: "x", seed: "+7", wait_seconds: "30" });
    expect(signed.isError).toBeFalsy();
    expect((lastRequest(h.ark, "/images/generations").json as Record<string, unknown>).seed).toBe(7);
    const notBool = await h.call("seedream_generate_image", { prompt: "x", watermark: "yes" });
    expect(notBool.isError).toBe(true);
    expect(text(notBool)).toMatch(/watermark/);
  });

  it("takes a list as a JSON array string or a single bare item", async () => {
    const img = png();
    for (const images of [JSON.stringify([img]), img]) {
      const r = await h.call("seedream_generate_image", { prompt: "make it blue", images, wait_seconds: 30 });
      expect(text(r)).not.toMatch(/expected array|characters/);
      expect(r.isError).toBeFalsy();
      const sent = lastRequest(h.ark, "/images/generations").json as Record<string, unknown>;
      expect([sent.image].flat()).toHaveLength(1);
    }
  });

  it("takes a bare media reference for an object whose only required field is one ({image, role?})", async () => {
    const img = png(320, 320);
    for (const images of [[img], img, JSON.stringify([img])]) {
      const r = await h.call("kling_omni_video", { prompt: "a <<<image_1>>> at dawn", images, aspect_ratio: "16:9", wait_seconds: 0 });
      expect(text(r), JSON.stringify(images).slice(0, 40)).not.toMatch(/^Error/);
      const sent = lastRequest(h.sandbox.kling, (q) => q.method === "POST" && q.path === "/v1/videos/omni-video").json as {
        image_list?: Array<Record<string, unknown>>;
      };
      expect(sent.image_list).toHaveLength(1);
      expect(sent.image_list![0]).not.toHaveProperty("type");
    }
    // An object is still taken as given, and a string that is no reference still names the field.
    const bad = await h.call("kling_omni_video", { prompt: "x <<<image_1>>>", images: "just some words", aspect_ratio: "16:9" });
    expect(text(bad)).toMatch(/^Error: InvalidInput: images: expected a list of objects/);
    // An item that is neither says both forms it could take.
    const odd = await h.call("kling_omni_video", { prompt: "x <<<image_1>>>", images: [123], aspect_ratio: "16:9" });
    expect(text(odd)).toMatch(
      /^Error: InvalidInput: images\[0\]: expected \{"image": "https:\/\/…"\} or the image itself as a string \(a URL, data: URI or file path\); got 123/,
    );
  });

  it("trims surrounding whitespace from ids, keys and enum values, never from a prompt", async () => {
    const del = await h.call("kling_delete_element", { element_id: " 9100000000000055433 " });
    expect(text(del)).not.toMatch(/^Error/);
    expect(structured(del)).toMatchObject({ element_id: "9100000000000055433" });
    expect(lastRequest(h.sandbox.kling, "/delete-elements").json).toEqual({ element_id: "9100000000000055433" });

    const v = await h.call("volc_visual_call", { req_key: " jimeng_t2i_v40\n", body: { prompt: "a dog" }, wait_seconds: 0 });
    expect(text(v)).not.toMatch(/^Error/);
    expect(lastRequest(h.sandbox.visual, (q) => q.query.get("Action") === "CVSync2AsyncSubmitTask").json).toMatchObject({
      req_key: "jimeng_t2i_v40",
    });

    const s = await h.call("seedream_generate_image", {
      prompt: " a red panda ",
      size: " 2K ",
      output_format: " png ",
      idempotency_key: " key-0123456789 ",
      wait_seconds: 30,
    });
    expect(text(s)).not.toMatch(/^Error/);
    expect(lastRequest(h.ark, "/images/generations").json).toMatchObject({ prompt: " a red panda ", size: "2K", output_format: "png" });
    // A value that is still not one of the enum's is refused as before, naming the field.
    const bad = await h.call("seedream_generate_image", { prompt: "x", output_format: " gif " });
    expect(text(bad)).toMatch(/^Error: InvalidInput: output_format: must be one of/);
  });

  it("takes an object or record as a string holding a JSON object, then applies the same checks", async () => {
    const v = await h.call("volc_visual_call", { req_key: "jimeng_t2i_v40", body: '{"prompt":"a dog"}', wait_seconds: 0 });
    expect(text(v)).not.toMatch(/^Error/);
    expect(lastRequest(h.sandbox.visual, (q) => q.query.get("Action") === "CVSync2AsyncSubmitTask").json).toMatchObject({
      req_key: "jimeng_t2i_v40",
      prompt: "a dog",
    });

    const schema = { type: "object", properties: { title: { type: "string" } }, required: ["title"] };
    const c = await h.call("gateway_chat", { prompt: "title this", json_schema: JSON.stringify({ schema, name: "t" }) });
    expect(text(c)).not.toMatch(/^Error/);
    expect(structured(c).json).toMatchObject({ title: expect.any(String) });
    // The object's own checks still apply to what the string held.
    const badName = await h.call("gateway_chat", { prompt: "x", json_schema: JSON.stringify({ schema, name: "no spaces allowed" }) });
    expect(text(badName)).toMatch(/^Error: InvalidInput: json_schema\.name: /);

    // A string that is no JSON object says an object is expected and how to send it, naming the field.
    const m = mark(h.sandbox.visual);
    for (const [body, got] of [
      ["a dog", 'got "a dog"'],
      ['{"prompt": "a dog"', "got a string that is not valid JSON ("],
      ['["a dog"]', 'got "[\\"a dog\\"]"'],
    ]) {
      const r = await h.call("volc_visual_call", { req_key: "jimeng_t2i_v40", body });
      expect(text(r), body).toContain(
        `Error: InvalidInput: body: expected an object such as {"name": …}: send it as a JSON object, or as a string holding one; ${got}`,
      );
    }
    expect(m.since()).toHaveLength(0);
    const est = await h.call("estimate_cost", { tool: "seedream_generate_image", arguments: '{"prompt": "a kite"}' });
    expect(text(est)).toMatch(/^seedream_generate_image with /);
    const notArgs = await h.call("estimate_cost", { tool: "seedream_generate_image", arguments: "prompt=a kite" });
    expect(text(notArgs)).toMatch(/^Error: InvalidInput: arguments: expected an object such as \{"name": …\}/);
    const chat = await h.call("gateway_chat", { prompt: "x", json_schema: '{"schema": {"type": "object"}' });
    expect(text(chat)).toMatch(
      /^Error: InvalidInput: json_schema: expected an object such as \{"schema": …\}: send it as a JSON object, or as a string holding one; got a string that is not valid JSON/,
    );
  });

  it("holds an object or list sent as a JSON string to the argument limits", async () => {
    const nest = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
    const m = mark(h.sandbox.visual);
    // Past the whole-message limit: refused before the string is parsed.
    const deep = await h.call("volc_visual_call", { req_key: "jimeng_t2i_v40", body: nest(100) });
    expect(text(deep)).toMatch(/^Error: InvalidInput: body: is a string holding JSON with more than \d+ levels of nesting; send less data/);
    // Within it, but past the arguments' own depth once parsed: refused as if sent as an object.
    const parsed = await h.call("volc_visual_call", { req_key: "jimeng_t2i_v40", body: nest(MAX_ARGUMENT_DEPTH + 2) });
    expect(text(parsed)).toMatch(new RegExp(`^Error: InvalidInput: body: is nested more than ${MAX_ARGUMENT_DEPTH} levels deep`));
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])));
    const keys = await h.call("volc_visual_call", { req_key: "jimeng_t2i_v40", body: wide });
    expect(text(keys)).toMatch(/^Error: InvalidInput: body: is a string holding JSON with an object of more than 1000 members/);
    const list = await h.call("seedream_generate_image", { prompt: "x", images: JSON.stringify(Array(101_001).fill("a")) });
    expect(text(list)).toMatch(/^Error: InvalidInput: images: is a string holding JSON with more than \d+ values/);
    expect(m.since()).toHaveLength(0);
  });

  it("says 'expected a list of …' for a string that is no list, never a string length", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "x", images: '["unterminated' });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Error.*images: expected a list of strings/);
    expect(text(r)).not.toMatch(/characters/);
  });

  it("takes URLs separated by commas and/or whitespace as that list, never splitting a data: URI", async () => {
    for (const images of [
      "https://example.com/a.png, https://example.com/b.png",
      "https://example.com/a.png\n https://example.com/b.png",
    ]) {
      const r = await h.call("seedream_generate_image", { prompt: "make it blue", images, wait_seconds: 30 });
      expect(text(r)).not.toMatch(/^Error/);
      const sent = lastRequest(h.ark, "/images/generations").json as Record<string, unknown>;
      expect([sent.image].flat()).toEqual(["https://example.com/a.png", "https://example.com/b.png"]);
    }
    // A URL with a comma inside stays one URL (not every piece is a URL).
    const one = await h.call("seedream_generate_image", { prompt: "x", images: "https://example.com/w_1,h_2/a.png", wait_seconds: 30 });
    expect(text(one)).not.toMatch(/^Error/);
    expect([(lastRequest(h.ark, "/images/generations").json as Record<string, unknown>).image].flat()).toEqual([
      "https://example.com/w_1,h_2/a.png",
    ]);
  });

  it("refuses two data: URIs joined by a comma instead of sending one corrupted image", async () => {
    const m = mark(h.ark);
    const r = await h.call("seedream_generate_image", { prompt: "x", images: `${png()},${png(32, 32)}`, wait_seconds: 30 });
    expect(text(r)).toMatch(/^Error: InvalidInput: images\[0\]: holds several data: URIs joined by a comma; a data: URI cannot be split/);
    expect(text(r)).toMatch(/send the images as a JSON array/);
    expect(m.since("/images/generations")).toHaveLength(0);
  });

  it("refuses words with spaces or commas as 'expected a list of …', but keeps a path with spaces", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "x", images: "not a list, just words" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Error: InvalidInput: images: expected a list of strings/);
    expect(text(r)).not.toMatch(/does not exist/);
    const path = await h.call("seedream_generate_image", { prompt: "x", images: "/no/such dir/cat one.png" });
    expect(path.isError).toBe(true);
    expect(text(path)).not.toMatch(/expected a list/);
    expect(text(path)).toMatch(/images\[0\]/);
  });

  it("a member named __proto__ is an ordinary unknown key, never a crash", async () => {
    for (const json_schema of [
      '{"schema": {}, "__proto__": {"polluted": 1}}',
      JSON.parse('{"schema": {}, "__proto__": {"polluted": 1}}') as unknown,
    ]) {
      const r = await h.call("gateway_chat", { prompt: "hi", max_tokens: 20, json_schema });
      expect(text(r)).not.toMatch(/InternalError|Cannot read properties/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("argument forms in a task call (AIGC_MCP_TASKS=true)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { AIGC_MCP_TASKS: "true" } });
  });
  afterAll(() => h.close());

  it("gives the tool its arguments parsed, as a plain call does: a model id is sent trimmed", async () => {
    const messages = [];
    for await (const m of h.client.experimental.tasks.callToolStream(
      { name: "seedance_generate_video", arguments: { prompt: "waves", duration: "5", model: ` ${DEFAULT_MODELS.video} ` } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    ))
      messages.push(m);
    expect(messages.at(-1)?.type).toBe("result");
    expect(lastRequest(h.ark, (q) => q.method === "POST").json).toMatchObject({ model: DEFAULT_MODELS.video, duration: 5 });
  });
});
