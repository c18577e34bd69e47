/** Issue 11 item 1: what counts as loopback for Host and Origin (DNS rebinding). */
import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "../../src/config.js";
import { hostAllowed, originAllowed, parseHostHeader } from "../../src/transports/host.js";

const none = { allowedHosts: [], allowedOrigins: [] };

describe("loopback", () => {
  it.each(["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])(
    "%s is loopback",
    (h) => expect(isLoopbackHost(h)).toBe(true),
  );
  it.each([
    "127.attacker.example",
    "127.0.0.1.rebind.attacker.example",
    "localhost.attacker.example",
    "localhost.",
    "127.0.0.1.",
    "0.0.0.0",
    "10.0.0.1",
    "::",
    "::2",
    "[::ffff:10.0.0.1]",
    "128.0.0.1",
  ])("%s is not loopback", (h) => expect(isLoopbackHost(h)).toBe(false));
});

describe("Host header", () => {
  it("parses host and port", () => {
    expect(parseHostHeader("127.0.0.1:8787")).toEqual({ name: "127.0.0.1", port: 8787 });
    expect(parseHostHeader("[::1]:80")).toEqual({ name: "[::1]", port: 80 });
    expect(parseHostHeader("Example.COM")).toEqual({ name: "example.com" });
    for (const bad of ["", "a b", "x:99999", "user@127.0.0.1", "127.0.0.1/x", "[::1", "127.0.0.1:8787:1"])
      expect(parseHostHeader(bad)).toBeUndefined();
  });

  it("accepts loopback literals and localhost with any port, and nothing else without the allow-list", () => {
    for (const ok of ["127.0.0.1:8787", "127.0.0.1", "localhost:8787", "[::1]:8787", "127.9.9.9:1"])
      expect(hostAllowed(ok, none)).toBe(true);
    for (const bad of [
      "127.0.0.1.rebind.attacker.example:8787",
      "127.attacker.example",
      "127.attacker.example:8787",
      "localhost.attacker.example:8787",
      "user@127.0.0.1:8787",
      undefined,
    ])
      expect(hostAllowed(bad, none)).toBe(false);
  });

  it("takes allow-listed names with or without the port", () => {
    const policy = { allowedHosts: ["aigc.internal", "Box.LAN:9000"], allowedOrigins: [] };
    expect(hostAllowed("aigc.internal:8787", policy)).toBe(true);
    expect(hostAllowed("box.lan:9000", policy)).toBe(true);
    expect(hostAllowed("box.lan:9001", policy)).toBe(false);
    expect(hostAllowed("anything", { allowedHosts: ["*"], allowedOrigins: [] })).toBe(true);
  });
});

describe("Origin header", () => {
  it("accepts no Origin, loopback origins and listed ones only", () => {
    expect(originAllowed(undefined, none)).toBe(true);
    for (const ok of ["http://localhost:6274", "http://127.0.0.1:8787", "http://[::1]:3000", "https://localhost"])
      expect(originAllowed(ok, none)).toBe(true);
    for (const bad of [
      "http://127.0.0.1.rebind.attacker.example:8787",
      "http://127.attacker.example",
      "null",
      "file://",
      "http://2130706433",
    ])
      expect(originAllowed(bad, none)).toBe(false);
    expect(originAllowed("https://app.example", { allowedHosts: [], allowedOrigins: ["https://app.example"] })).toBe(true);
  });
});
