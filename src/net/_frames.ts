// Walking our own well-formed RESP frames (the bulk writer puts ASKING
// before each frame of a job that was redirected with ASK).

/** Calls `fn` with each of the `count` frames of `buf` (views). */
export function forEachFrame(
  buf: Uint8Array,
  count: number,
  fn: (frame: Uint8Array) => void,
): void {
  let p = 0;
  for (let i = 0; i < count; i++) {
    const end = frameEnd(buf, p);
    fn(buf.subarray(p, end));
    p = end;
  }
}

/** End offset of the well-formed multibulk frame at `p` (our own encoding). */
function frameEnd(b: Uint8Array, p: number): number {
  let i = p + 1;
  let n = 0;
  while (b[i] !== 13) n = n * 10 + (b[i++]! - 48);
  i += 2;
  for (let k = 0; k < n; k++) {
    i++; // '$'
    let len = 0;
    while (b[i] !== 13) len = len * 10 + (b[i++]! - 48);
    i += 2 + len + 2;
  }
  return i;
}
