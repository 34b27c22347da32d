// The pending-chunk queue both chunked decoders (KEVYSNAP, Redis RDB) share:
// what is decoded now, what waits, and when a stopped run is retried.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ChunkQueue, openRun, type RunWindow } from "../../src/codec/_chunk_queue.ts";

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

describe("ChunkQueue", () => {
  it("an empty queue hands a pushed chunk straight back, as a copy", () => {
    const q = new ChunkQueue();
    const c = bytes(1, 2, 3);
    const out = q.push(c, 0, Infinity);
    assert.deepEqual(out, bytes(1, 2, 3));
    c[0] = 9; // the caller reuses its buffer
    assert.equal(out![0], 1);
    assert.equal(q.length, 0);
  });

  it("after a stop, waits for what the failed read needed and twice the tail", () => {
    const q = new ChunkQueue();
    q.keep(bytes(1, 2), 5); // wants max(5, 4) bytes
    assert.equal(q.length, 2);
    assert.equal(q.push(bytes(3), 100, Infinity), null);
    assert.equal(q.push(bytes(4), 100, Infinity), null);
    assert.deepEqual(q.push(bytes(5), 100, Infinity), bytes(1, 2, 3, 4, 5));
    assert.equal(q.length, 0);
  });

  it("twice the tail rules when the failed read needed less (retries stay linear)", () => {
    const q = new ChunkQueue();
    q.keep(bytes(1, 2, 3), 4); // wants max(4, 6)
    assert.equal(q.push(bytes(4), 0, Infinity), null);
    assert.equal(q.push(bytes(5), 0, Infinity), null);
    assert.deepEqual(q.push(bytes(6), 0, Infinity), bytes(1, 2, 3, 4, 5, 6));
  });

  it("the end of the input (totalSize) releases a short queue", () => {
    const q = new ChunkQueue();
    q.keep(bytes(1, 2), 1000);
    // The queue starts at input offset 10; the input is 14 bytes long.
    assert.equal(q.push(bytes(3), 10, 14), null);
    assert.deepEqual(q.push(bytes(4), 10, 14), bytes(1, 2, 3, 4));
  });

  it("a stop at a record boundary keeps nothing: the next chunk runs at once", () => {
    const q = new ChunkQueue();
    q.keep(new Uint8Array(0), 10);
    assert.equal(q.length, 0);
    assert.deepEqual(q.push(bytes(7), 0, Infinity), bytes(7));
  });

  it("take() joins the queue once (a single part as it is) and empties it", () => {
    const q = new ChunkQueue();
    const tail = bytes(1, 2);
    q.keep(tail, 100);
    assert.equal(q.take(), tail); // the decoder's own buffer, not copied again
    assert.equal(q.length, 0);
    assert.deepEqual(q.take(), new Uint8Array(0));
    q.keep(bytes(1), 100);
    q.push(bytes(2, 3), 0, Infinity);
    assert.deepEqual(q.take(), bytes(1, 2, 3));
  });

  it("queued chunks are copies: reusing a pushed buffer changes nothing", () => {
    const q = new ChunkQueue();
    q.keep(bytes(1), 100);
    const c = bytes(2, 3);
    q.push(c, 0, Infinity);
    c.fill(0);
    assert.deepEqual(q.take(), bytes(1, 2, 3));
  });

  it("openRun bounds a run by the input's size, the final run by its own bytes", () => {
    const r: RunWindow = { buf: new Uint8Array(0), end: 0, pos: 7, base: 100, limit: 0 };
    const buf = bytes(1, 2, 3);
    openRun(r, buf, false, 1000);
    assert.deepEqual({ ...r, buf: r.buf === buf }, {
      buf: true,
      end: 3,
      pos: 0,
      base: 100,
      limit: 1000,
    });
    openRun(r, buf, true, 1000);
    assert.equal(r.limit, 103);
  });

  it("stopped() keeps the record's bytes and moves the window past what was consumed", () => {
    const q = new ChunkQueue();
    const buf = bytes(1, 2, 3, 4, 5);
    const r: RunWindow = { buf, end: 5, pos: 5, base: 100, limit: Infinity };
    q.stopped(r, buf, 3, 9); // the record starts at 3; its failed read needed up to 9
    assert.equal(r.base, 103);
    assert.equal(r.buf.length, 0); // the window holds no buffer between runs
    assert.equal(q.length, 2);
    // wants max(9 - 3, 2 * 2) = 6 bytes from the record's start
    assert.equal(q.push(bytes(6, 7, 8), r.base, Infinity), null);
    assert.deepEqual(q.push(bytes(9), r.base, Infinity), bytes(4, 5, 6, 7, 8, 9));
  });
});
