import type { GilbertElliottParams } from '../src/fit/fit.js';
import type { Xoshiro128 } from '../src/rng/xoshiro128.js';

/** A loss trace of `packets` packets drawn from a Gilbert–Elliott channel, started in its stationary state: the fits' tests fit it back. */
export function simulateGilbertElliott(packets: number, p: GilbertElliottParams, rng: Xoshiro128): Uint8Array {
  const u = () => rng.nextUint32() / 2 ** 32;
  const stationaryBad = p.goodToBad + p.badToGood === 0 ? 0 : p.goodToBad / (p.goodToBad + p.badToGood);
  let bad = u() < stationaryBad;
  const lost = new Uint8Array(packets);
  for (let t = 0; t < packets; t++) {
    bad = bad ? !(u() < p.badToGood) : u() < p.goodToBad;
    lost[t] = u() < (bad ? p.lossBad : p.lossGood) ? 1 : 0;
  }
  return lost;
}
