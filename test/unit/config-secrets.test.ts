/** Issue 11 item 6: no config error ever carries the value of a secret variable, for every variable declared secret. */
import { describe, expect, it } from "vitest";
import { CORE_ENV, ConfigError, envValue, parseCoreConfig } from "../../src/config.js";
import { loadVendors, PLUGINS } from "../../src/plugins.js";
import { trimCredentials } from "../../src/secret-env.js";
import { z } from "zod";

const SECRET_VARS = [...CORE_ENV, ...PLUGINS.flatMap((p) => p.env)].filter((v) => v.secret).map((v) => v.name);

// Values that fail the usual checks (too short, not JSON, not a key) and are easy to find in a message.
const BAD_VALUES = ["Zq7!", "{Zq7!Zq7", '{"kty":"RSA","d":"Zq7!Zq7!"}', "Zq7!".repeat(3)];

async function configError(env: Record<string, string>): Promise<string | undefined> {
  try {
    const core = parseCoreConfig(env);
    await loadVendors(env, core);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

describe("config errors never show a secret value", () => {
  it("covers the core token and every plugin's credentials", () => {
    expect(SECRET_VARS).toContain("AIGC_MCP_AUTH_TOKEN");
    expect(SECRET_VARS.length).toBeGreaterThan(5);
  });

  for (const name of SECRET_VARS) {
    it(`${name}: a bad value is named, never shown`, async () => {
      let failures = 0;
      for (const bad of BAD_VALUES) {
        const message = await configError({ AIGC_MCP_OUTPUT_DIR: "/tmp/aigc-mcp-unit", [name]: bad });
        if (message === undefined) continue;
        failures++;
        expect(message).not.toContain("Zq7!");
        expect(message).toMatch(/^[A-Z][A-Z0-9_]+: /);
      }
      if (name === "AIGC_MCP_AUTH_TOKEN") expect(failures).toBeGreaterThan(0);
    });
  }

  it("still quotes a non-secret value, which helps", () => {
    expect(() => parseCoreConfig({ AIGC_MCP_PORT: "eighty" })).toThrow(/AIGC_MCP_PORT: must be a whole number \(got "eighty"\)/);
  });

  it("does not quote a variable nobody declared", () => {
    expect(() => envValue({ SOME_TOKEN: "Zq7!" }, "SOME_TOKEN", z.string().min(10))).toThrow(/SOME_TOKEN/);
    expect(() => envValue({ SOME_TOKEN: "Zq7!" }, "SOME_TOKEN", z.string().min(10))).not.toThrow(/Zq7/);
  });
});

describe("credentials from the environment lose their surrounding whitespace", () => {
  const VARS = [...CORE_ENV, ...PLUGINS.flatMap((p) => p.env)];
  it("trims every secret variable and the AWS key id, and leaves other variables as they are", () => {
    const given = Object.fromEntries([...SECRET_VARS, "AWS_ACCESS_KEY_ID"].map((n) => [n, `\t ${n}-value\r\n`]));
    const out = trimCredentials({ ...given, AIGC_MCP_HOST: " 127.0.0.1 ", AIGC_MCP_AUTH_TOKEN: "" }, VARS);
    for (const n of [...SECRET_VARS, "AWS_ACCESS_KEY_ID"].filter((n) => n !== "AIGC_MCP_AUTH_TOKEN")) expect(out[n]).toBe(`${n}-value`);
    expect(out.AIGC_MCP_HOST).toBe(" 127.0.0.1 ");
    expect(out.AIGC_MCP_AUTH_TOKEN).toBe("");
    expect(given.ARK_API_KEY).toBe("\t ARK_API_KEY-value\r\n");
  });

  it("refuses a secret that is only whitespace, naming the variable", () => {
    for (const name of SECRET_VARS) {
      expect(() => trimCredentials({ [name]: " \n" }, VARS)).toThrow(ConfigError);
      expect(() => trimCredentials({ [name]: " \n" }, VARS)).toThrow(new RegExp(`^${name}: is only whitespace \\(2 characters\\)`));
    }
  });

  it("refuses an example's placeholder copied as is (mcp.json's <…>, the README's …), never echoing the value", () => {
    for (const placeholder of ["<your Volcengine Ark API key>", " <AIGC_MCP_AUTH_TOKEN>\n", "…", "..."]) {
      for (const name of SECRET_VARS) {
        expect(() => trimCredentials({ [name]: placeholder }, VARS)).toThrow(new RegExp(`^${name}: is a placeholder from an example`));
        expect(() => trimCredentials({ [name]: placeholder }, VARS)).not.toThrow(/Volcengine|AIGC_MCP_AUTH_TOKEN>/);
      }
    }
    // Real credentials with such characters inside are kept.
    expect(trimCredentials({ ARK_API_KEY: "ab<cd>ef" }, VARS).ARK_API_KEY).toBe("ab<cd>ef");
  });

  it("refuses a vendor key shortened with … as consoles show it, never echoing the value", () => {
    const vendorSecrets = new Set(PLUGINS.flatMap((p) => p.env.filter((v) => v.secret).map((v) => v.name)));
    expect(vendorSecrets.has("VOLC_SECRETKEY") && vendorSecrets.has("KLING_API_KEY")).toBe(true);
    for (const name of vendorSecrets) {
      const call = () => trimCredentials({ [name]: "AKLTY2Zq…Q5Mg" }, VARS, vendorSecrets);
      expect(call).toThrow(new RegExp(`^${name}: contains "…", as a console shows a key shortened`));
      expect(call).not.toThrow(/AKLT|Q5Mg/);
    }
    // The server's own secrets are the operator's choice, and a Redis URL may hold any password.
    const own = trimCredentials({ AIGC_MCP_MEDIA_URL_SECRET: "long…passphrase" }, VARS, vendorSecrets);
    expect(own.AIGC_MCP_MEDIA_URL_SECRET).toBe("long…passphrase");
  });

  it("gives parseCoreConfig the token a client sends", () => {
    const env = trimCredentials(
      { AIGC_MCP_AUTH_TOKEN: "tok_ABCDEFGHIJKLMNOPQRST\n", AIGC_MCP_MEDIA_URL_SECRET: ` ${"s".repeat(32)} ` },
      VARS,
    );
    const core = parseCoreConfig({ ...env, AIGC_MCP_TRANSPORT: "http", AIGC_MCP_PUBLIC_URL: "https://x.example" });
    expect(core.authToken).toBe("tok_ABCDEFGHIJKLMNOPQRST");
    expect(core.publicMedia?.secret).toBe("s".repeat(32));
  });
});
