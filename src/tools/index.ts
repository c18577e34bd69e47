/** Every vendor this server knows. A vendor whose credentials are absent contributes no tools. */
import type { CoreConfig, Env } from "../config.js";
import { registerSecret } from "../log.js";
import { animoModule } from "./animo/index.js";
import { gatewayModule } from "./gateway/index.js";
import { arkModule } from "./ark/index.js";
import { klingModule } from "./kling/index.js";
import { visualModule } from "./visual/index.js";
import type { LoadedVendor, VendorModule } from "./vendor-module.js";

export const VENDOR_MODULES: VendorModule[] = [arkModule, klingModule, visualModule, animoModule, gatewayModule];

export function loadVendors(env: Env, core: CoreConfig): LoadedVendor[] {
  for (const m of VENDOR_MODULES) for (const s of m.secrets(env)) registerSecret(s);
  return VENDOR_MODULES.map((m) => m.load(env, core)).filter((v): v is LoadedVendor => v !== undefined);
}
