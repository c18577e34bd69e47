import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from "@modelcontextprotocol/ext-apps/server";
import { describe, expect, it } from "vitest";
import * as viewer from "../../src/viewer.js";

describe("the viewer's MCP Apps constants", () => {
  it("are ext-apps' own (written out so start-up does not load ext-apps)", () => {
    expect(viewer.RESOURCE_MIME_TYPE).toBe(RESOURCE_MIME_TYPE);
    expect(viewer.RESOURCE_URI_META_KEY).toBe(RESOURCE_URI_META_KEY);
  });
});
