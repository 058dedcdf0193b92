/**
 * Which engine implementations the shared specifications run on: wasm (the tfjs path) always,
 * native when its addon is built here. STEERLAB_REQUIRE_NATIVE=1 (CI) makes a missing addon an
 * error instead of a skip, so the native path cannot silently go untested.
 */
import { loadNativeAddon } from '../../native/backend/native-addon.js';

const load = loadNativeAddon();
export const NATIVE_BUILT = 'addon' in load;
if (!NATIVE_BUILT && process.env.STEERLAB_REQUIRE_NATIVE === '1') {
  throw new Error(`STEERLAB_REQUIRE_NATIVE=1 but the native addon is unavailable: ${(load as { reason: string }).reason}`);
}

/** The backends every engine specification runs against. */
export const ENGINE_BACKENDS: ('wasm' | 'native')[] = NATIVE_BUILT ? ['wasm', 'native'] : ['wasm'];

/** The addon, for tests that call it directly (only when built). */
export function nativeAddon() {
  if (!('addon' in load)) throw new Error(load.reason);
  return load.addon;
}
