// The default re-shard stamp: wall-clock nanoseconds since the Unix epoch, as
// kevy writes it (u128 decimal). Date.now() only has ms resolution, so the
// sub-millisecond part comes from performance.now() and a per-process floor
// keeps stamps strictly increasing (two re-shards in one ms never collide).
let last = 0n;

/** Wall-clock ns since the epoch, strictly increasing within this process. */
export function wallClockNs(): bigint {
  const ms = BigInt(Date.now());
  const frac = performance.now() % 1; // sub-ms part, in [0, 1)
  let ns = ms * 1_000_000n + BigInt(Math.floor(frac * 1_000_000));
  if (ns <= last) ns = last + 1n;
  last = ns;
  return ns;
}
