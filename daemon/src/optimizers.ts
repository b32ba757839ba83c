/**
 * V8's compilers past its interpreter (Sparkplug's baseline code, TurboFan's optimised code), held off
 * while the daemon loads. Loading runs some code hot (the module loader, schema builders) and V8 then
 * compiles it, which pages in the compilers' own machine code and fills their zones: ~5-6 MB of an idle
 * daemon's resident memory for code that runs once (measured: 70.8 → 65.3 MB median of 5, TurboFan
 * alone). bin.ts holds them before the daemon's modules load; once it listens, `releaseOptimizers`
 * gives V8 its defaults back, so the work that follows (streams, transfers) is compiled as usual.
 */
import { setFlagsFromString } from 'node:v8';

export function holdOptimizers(): void {
  setFlagsFromString('--no-turbofan --no-sparkplug');
}

/** V8's defaults. */
export function releaseOptimizers(): void {
  setFlagsFromString('--turbofan --sparkplug');
}
