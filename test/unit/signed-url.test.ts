import { describe, expect, it } from "vitest";
import { SignedMediaUrls } from "../../src/media/signed-url.js";
import { parseRange } from "../../src/transports/media-route.js";
import { ConfigError, parseCoreConfig } from "../../src/config.js";

const SECRET = "s".repeat(32);

describe("signed media URLs", () => {
  const urls = new SignedMediaUrls("https://aigc.example.com/base", SECRET, 600);

  it("verifies its own URLs until they expire, and nothing else", async () => {
    const now = Date.UTC(2026, 10, 30);
    const { url, expiresAt } = await urls.link("a b.png", now);
    expect(expiresAt).toBe(new Date(now + 600_000).toISOString());
    const u = new URL(url);
    expect(u.pathname).toBe("/base/media/a%20b.png");
    const name = urls.nameFromPath(u.pathname)!;
    expect(name).toBe("a b.png");
    const [exp, sig] = [u.searchParams.get("exp"), u.searchParams.get("sig")];
    expect(urls.verify(name, exp, sig, now)).toBe("ok");
    expect(urls.verify(name, exp, sig, now + 601_000)).toBe("expired");
    expect(urls.verify("other.png", exp, sig, now)).toBe("bad");
    expect(urls.verify(name, String(Number(exp) + 1), sig, now)).toBe("bad");
    expect(urls.verify(name, exp, null, now)).toBe("bad");
    expect(urls.verify(name, "1e9", sig, now)).toBe("bad");
    expect(new SignedMediaUrls("https://aigc.example.com/base", "t".repeat(32), 600).verify(name, exp, sig, now)).toBe("bad");
  });

  it("tells its own download links, whatever their query, from any other URL", async () => {
    const { url } = await urls.link("x.png", Date.UTC(2026, 10, 30));
    for (const own of [
      url,
      url.replace(/sig=[^&]+/, "sig=AAAA"),
      url.split("?")[0]!,
      `${url}&a=1`,
      url.replace("aigc.example.com", "AIGC.example.com"),
    ])
      expect(urls.outputOf(own), own).toBe("x.png");
    expect(urls.outputOf("https://aigc.example.com/base/media/a%20b.png")).toBe("a b.png");
    for (const other of [
      url.replace("https://aigc.example.com", "https://other.example.com"),
      url.replace("https:", "http:"),
      url.replace("/base/media/", "/media/"),
      url.replace("/media/", "/files/"),
      url.replace("/media/x.png", "/media/sub/x.png"),
      "https://aigc.example.com/base/media/",
      "https://aigc.example.com/base/media/%E0%A4%A",
      "not a url",
    ])
      expect(urls.outputOf(other), other).toBeUndefined();
  });

  it("recognises media paths with and without the public URL's prefix, and nothing deeper", () => {
    expect(urls.nameFromPath("/base/media/x.mp4")).toBe("x.mp4");
    expect(urls.nameFromPath("/media/x.mp4")).toBe("x.mp4");
    expect(urls.nameFromPath("/media/a/x.mp4")).toBeUndefined();
    expect(urls.nameFromPath("/mcp")).toBeUndefined();
    expect(urls.nameFromPath("/media/%E0%A4%A")).toBeUndefined();
  });

  it("builds its path patterns once, not on every request", () => {
    const Original = globalThis.RegExp;
    let built = 0;
    globalThis.RegExp = new Proxy(Original, {
      construct(target, args: [string, string?]) {
        built++;
        return new target(...args);
      },
    });
    try {
      for (let i = 0; i < 50; i++) {
        expect(urls.nameFromPath(`/base/media/x${i}.mp4`)).toBe(`x${i}.mp4`);
        expect(urls.nameFromPath("/mcp")).toBeUndefined();
      }
    } finally {
      globalThis.RegExp = Original;
    }
    expect(built).toBe(0);
  });
});

describe("byte ranges", () => {
  it.each([
    [undefined, undefined],
    ["bytes=0-9", [0, 9]],
    ["bytes=5-", [5, 99]],
    ["bytes=-10", [90, 99]],
    ["bytes=-500", [0, 99]],
    ["bytes=90-500", [90, 99]],
    ["bytes=100-", "unsatisfiable"],
    ["bytes=9-3", undefined],
    ["bytes=-0", "unsatisfiable"],
    ["bytes=0-1,5-6", undefined],
    ["items=0-1", undefined],
  ])("%s of 100 bytes → %j", (header, want) => {
    expect(parseRange(header, 100)).toEqual(want);
  });
});

describe("AIGC_MCP_PUBLIC_URL configuration", () => {
  const base = { AIGC_MCP_TRANSPORT: "http", AIGC_MCP_PUBLIC_URL: "https://aigc.example.com/" };
  it("needs a secret of 32 characters and never shows it", () => {
    expect(() => parseCoreConfig(base)).toThrow(/AIGC_MCP_MEDIA_URL_SECRET.*required with AIGC_MCP_PUBLIC_URL/);
    const short = "short-secret-value";
    const err = (() => {
      try {
        parseCoreConfig({ ...base, AIGC_MCP_MEDIA_URL_SECRET: short });
      } catch (e) {
        return String(e);
      }
    })();
    expect(err).toMatch(/at least 32 characters/);
    expect(err).not.toContain(short);
  });
  it("needs the HTTP transport and accepts the public host", () => {
    expect(() => parseCoreConfig({ ...base, AIGC_MCP_TRANSPORT: "stdio", AIGC_MCP_MEDIA_URL_SECRET: SECRET })).toThrow(/HTTP transport/);
    const cfg = parseCoreConfig({ ...base, AIGC_MCP_MEDIA_URL_SECRET: SECRET });
    expect(cfg.publicMedia).toEqual({ url: "https://aigc.example.com", secret: SECRET });
    expect(cfg.mediaUrlTtlS).toBe(604800);
    expect(cfg.allowedHosts).toContain("aigc.example.com");
  });
  it("refuses a user name or password, a query and a fragment, naming what to remove and never showing the password", () => {
    const refusal = (url: string) => {
      try {
        parseCoreConfig({ ...base, AIGC_MCP_PUBLIC_URL: url, AIGC_MCP_MEDIA_URL_SECRET: SECRET });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return String((e as Error).message);
      }
      return undefined;
    };
    for (const url of ["https://user:pw-Zq7@x.example/a?b=1#c", "https://pw-Zq7@x.example", "http://:pw-Zq7@x.example:8787/"]) {
      const err = refusal(url);
      expect(err).toMatch(/^AIGC_MCP_PUBLIC_URL: must not hold a user name or password \(`user:password@` before the host\): remove them/);
      expect(err).not.toContain("pw-Zq7");
    }
    for (const url of ["https://x.example/a?b=1", "https://x.example/a#c", "https://x.example/?", "https://x.example#"])
      expect(refusal(url)).toMatch(/^AIGC_MCP_PUBLIC_URL: must not hold a query \(`\?…`\) or a fragment \(`#…`\): remove them/);
    // an @ in the path is no user name
    expect(refusal("https://x.example/team@a/")).toBeUndefined();
  });
});
