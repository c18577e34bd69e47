/** The URL fetch policy's address rules: what counts as public, which URLs are refused before any connection. */
import { describe, expect, it } from "vitest";
import { allowedLookup, checkedLookup, dispatcherFor, DownloadRefused, fetchPolicy, isPublicAddress } from "../../src/net/fetch-policy.js";

describe("URL fetch policy", () => {
  it("treats loopback, private, shared, link-local, metadata, multicast and reserved addresses as non-public", () => {
    for (const ip of [
      "127.0.0.1",
      "127.1.2.3",
      "0.0.0.0",
      "10.1.2.3",
      "100.100.100.200",
      "169.254.169.254",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "fe80::1",
      "fd00:ec2::254",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:a9fe:a9fe",
      "64:ff9b::10.0.0.1",
      "not an ip",
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
    for (const ip of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
      expect(isPublicAddress(ip), ip).toBe(true);
  });

  it("judges IPv6 addresses that carry an IPv4 one by the IPv4 rules, in every spelling URL parsing gives", () => {
    for (const ip of [
      "::7f00:1", // http://[::127.0.0.1] as WHATWG URL parsing writes it (IPv4-compatible)
      "::127.0.0.1",
      "::ffff:0:7f00:1", // IPv4-translated
      "::ffff:0:a9fe:a9fe",
      "2002:7f00:1::", // 6to4
      "2002:a9fe:a9fe:1234::1",
      "64:ff9b::7f00:1", // NAT64, well-known prefix
      "64:ff9b::a9fe:a9fe",
      "64:ff9b:1::7f00:1", // NAT64, local-use prefix (/96 spelling)
      "64:ff9b:1:7f00:0:100::", // NAT64, local-use prefix (/48 spelling)
      "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1
      "2001:0:4136:e378:8000:63bf:5601:5601", // Teredo, client 169.254.169.254
      "fe80::1%eth0",
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
    for (const ip of ["2002:808:808::1", "64:ff9b::808:808", "2001:0:4136:e378:8000:63bf:f7f7:f7f7", "::ffff:0:808:808"])
      expect(isPublicAddress(ip), ip).toBe(true);
  });

  it("refuses http://[::127.0.0.1], [::ffff:0:7f00:1] and [2002:7f00:1::] before connecting", async () => {
    for (const url of ["http://[::127.0.0.1]/", "http://[::ffff:0:7f00:1]/", "http://[2002:7f00:1::]/", "http://[64:ff9b::a9fe:a9fe]/"])
      await expect(dispatcherFor(url, fetchPolicy([])), url).rejects.toThrow(DownloadRefused);
  });

  it("refuses other schemes, credentials in URLs and literal non-public hosts in every spelling", async () => {
    const none = fetchPolicy([]);
    for (const url of [
      "file:///etc/passwd",
      "ftp://example.com/a.wav",
      "gopher://127.0.0.1:25/",
      "http://user:pw@example.com/a.wav",
      "http://127.0.0.1:8080/a.wav",
      "http://0x7f000001/a.wav",
      "http://2130706433/a.wav",
      "http://127.1/a.wav",
      "http://[::1]/a.wav",
      "http://[::ffff:127.0.0.1]/a.wav",
      "http://169.254.169.254/latest/meta-data/",
      "http://100.100.100.200/latest/meta-data/",
      "http://[fd00:ec2::254]/",
    ])
      await expect(dispatcherFor(url, none), url).rejects.toThrow(DownloadRefused);
    // Names are checked by the connection's own lookup (the address checked is the one connected to).
    expect(await dispatcherFor("http://example.com/a.wav", none)).toBeDefined();
  });

  it("lets allow-listed hosts through by name or name:port, and configured endpoint URLs by host:port", async () => {
    const policy = fetchPolicy(["LocalHost", "10.0.0.5:9000", "http://127.0.0.1:4321/api/v3"]);
    expect(await dispatcherFor("http://localhost:1/a", policy)).toBeUndefined();
    expect(await dispatcherFor("http://10.0.0.5:9000/a", policy)).toBeUndefined();
    await expect(dispatcherFor("http://10.0.0.5:9001/a", policy)).rejects.toThrow(DownloadRefused);
    expect(await dispatcherFor("http://127.0.0.1:4321/media/x.png", policy)).toBeUndefined();
    await expect(dispatcherFor("http://127.0.0.1:4322/media/x.png", policy)).rejects.toThrow(DownloadRefused);
  });

  it("fails the lookup of a name that resolves to a non-public address", async () => {
    const err = await new Promise<Error | null>((resolve) => checkedLookup("localhost", {}, (e) => resolve(e)));
    expect(err).toBeInstanceOf(DownloadRefused);
    expect((err as DownloadRefused).allowableHost).toBe("localhost");
  });

  it("names the host an allow-list entry would let through, and none for a metadata address (never to be listed)", async () => {
    const refused = (url: string) =>
      dispatcherFor(url, fetchPolicy([])).then(
        () => ({}) as DownloadRefused,
        (e: unknown) => e as DownloadRefused,
      );
    expect(await refused("http://127.0.0.1:4322/media/x.png")).toMatchObject({ allowableHost: "127.0.0.1" });
    expect(await refused("http://10.0.0.5/x.png")).toMatchObject({ allowableHost: "10.0.0.5" });
    expect((await refused("http://169.254.169.254/latest/meta-data/")).allowableHost).toBeUndefined();
    const viaName = await new Promise<Error | null>((resolve) => checkedLookup("169.254.169.254", {}, (e) => resolve(e)));
    expect((viaName as DownloadRefused).allowableHost).toBeUndefined();
  });

  it("lets an allow-listed name resolve to a private address, never to a metadata one", async () => {
    const look = (name: string) => new Promise<Error | null>((resolve) => allowedLookup(name, {}, (e) => resolve(e)));
    expect(await look("localhost")).toBeNull();
    // dns.lookup answers an address as itself: what a listed name resolving there meets.
    expect(await look("169.254.169.254")).toBeInstanceOf(DownloadRefused);
    expect(await look("100.100.100.200")).toBeInstanceOf(DownloadRefused);
    // A literal one is refused before any connection (start-up refuses listing it; a policy made directly is checked too).
    await expect(dispatcherFor("http://169.254.169.254/latest", fetchPolicy(["169.254.169.254"]))).rejects.toThrow(/metadata/);
  });
});

describe("hosts a cloud vendor cannot reach (issue 12 item 6)", () => {
  it("are loopback, private, link-local and ULA literals, single-label names and private-use suffixes", async () => {
    const { isInternalHost, isMetadataHost, routeInputUrl } = await import("../../src/net/fetch-policy.js");
    for (const h of [
      "127.0.0.1",
      "localhost",
      "api",
      "minio.",
      "[::1]",
      "10.0.0.7",
      "192.168.1.2",
      "172.20.0.3",
      "169.254.1.1",
      "[fd12::5]",
      "[fe80::1]",
      "host.docker.internal",
      "nas.local",
      "a.localhost",
      "router.home.arpa",
    ])
      expect(isInternalHost(h), h).toBe(true);
    expect(isInternalHost(new URL("http://[::127.0.0.1]/").hostname)).toBe(true);
    expect(isMetadataHost(new URL("http://[::ffff:0:169.254.169.254]/").hostname)).toBe(true);
    expect(isMetadataHost("[2002:a9fe:a9fe::]")).toBe(true);
    for (const h of ["example.com", "cdn.vendor.cn", "8.8.8.8", "[2606:4700:4700::1111]", "files.dify.ai"])
      expect(isInternalHost(h), h).toBe(false);
    const policy = fetchPolicy(["api:5001"], ["http://127.0.0.1:4000/api/v3"]);
    expect(routeInputUrl("f", "https://example.com/a.png", policy)).toBe("forward");
    expect(routeInputUrl("f", "http://127.0.0.1:4000/media/a.png", policy)).toBe("forward");
    expect(routeInputUrl("f", "http://api:5001/files/a.png?sign=x", policy)).toBe("download");
    expect(() => routeInputUrl("f", "http://api:5002/files/a.png?sign=x", policy)).toThrow(
      /f: http:\/\/api:5002\/files\/a\.png is on api:5002/,
    );
  });
});

describe("URLs in a body sent to the vendor as is", () => {
  it("forward public and vendor URLs, and refuse internal ones, allow-listed included, naming the path", async () => {
    const { checkPassthroughUrls } = await import("../../src/net/fetch-policy.js");
    const policy = fetchPolicy(["api:5001"], ["http://127.0.0.1:4000/api/v3"]);
    const ok = {
      prompt: "see http://127.0.0.1/ here",
      n: 1,
      image_urls: ["https://example.com/a.png", "http://127.0.0.1:4000/media/a.png"],
    };
    expect(() => checkPassthroughUrls("body", ok, policy)).not.toThrow();
    expect(() => checkPassthroughUrls("body", { a: [{ url: "http://api:5001/files/x.png" }] }, policy)).toThrow(
      /^body\.a\[0\]\.url: http:\/\/api:5001\/files\/x\.png is on api:5001, which the vendor cannot reach, and this field is sent to the vendor as is$/,
    );
    expect(() => checkPassthroughUrls("body", { audio_url: " HTTP://10.0.0.1/a.mp3" }, policy)).toThrow(/^body\.audio_url: /);
  });
});
