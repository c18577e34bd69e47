/** What the Kling tool tests share: input images Kling accepts (and two it refuses), and a check that a call is refused before any request. */
import { expect } from "vitest";
import { makeJpeg, makePng } from "../../../../src/sandbox/media-fixtures.js";
import { text, type Harness } from "../../../helpers/harness.js";
import { mark } from "../../../helpers/results.js";

export const PNG = `data:image/png;base64,${makePng(320, 320, 1).toString("base64")}`;
export const JPG = `data:image/jpeg;base64,${makeJpeg(400, 300, 2).toString("base64")}`;
export const TINY = `data:image/png;base64,${makePng(64, 64).toString("base64")}`;
export const WIDE = `data:image/png;base64,${makePng(900, 300).toString("base64")}`;

/** Calls a tool that must fail validation before any request reaches the Kling simulator. */
export async function rejectedBeforeAnyRequest(h: Harness, name: string, args: Record<string, unknown>, pattern: RegExp): Promise<void> {
  const sim = h.sandbox.kling;
  const before = mark(sim);
  const r = await h.call(name, args);
  expect(r.isError, `${name} ${JSON.stringify(args).slice(0, 120)}`).toBe(true);
  expect(text(r)).toMatch(pattern);
  expect(before.since()).toHaveLength(0);
}

/** Calls a tool whose per-model rule only Kling enforces: the call reaches the simulator, and its refusal is explained. */
export async function refusedByKling(h: Harness, name: string, args: Record<string, unknown>, pattern: RegExp): Promise<void> {
  const sim = h.sandbox.kling;
  const before = mark(sim);
  const r = await h.call(name, args);
  expect(r.isError, `${name} ${JSON.stringify(args).slice(0, 120)}`).toBe(true);
  expect(text(r)).toMatch(/Error: 12\d\d \(Kling, HTTP 40\d/);
  expect(text(r)).toMatch(pattern);
  expect(before.since().length).toBeGreaterThan(0);
}
