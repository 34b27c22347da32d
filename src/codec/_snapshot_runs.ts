// Private: the runs of consecutive string and hash records SnapshotDecoder
// hands to run sinks (STRING_RUN_SINK, HASH_RUN_SINK) instead of one call per
// record. At most one run is pending at a time, and it is delivered before
// any other record, so records still arrive in file order.
import type { RecordReader } from "./_snapshot_reader.ts";
import {
  HashRun,
  type HashRunSink,
  STRING_RUN,
  StringRun,
  type StringRunSink,
} from "./snapshot_types.ts";

export class RecordRuns {
  readonly #onStrings: StringRunSink | undefined;
  readonly #onHashes: HashRunSink | undefined;
  readonly #str: StringRun | null;
  readonly #hash: HashRun | null;

  constructor(onStrings: StringRunSink | undefined, onHashes: HashRunSink | undefined) {
    this.#onStrings = onStrings;
    this.#onHashes = onHashes;
    this.#str = onStrings === undefined ? null : new StringRun();
    this.#hash = onHashes === undefined ? null : new HashRun();
  }

  /**
   * Takes the live string (`e` false) or hash (`e` true) record the reader
   * just read from `buf`, starting at `start`, input offset `at`, if a run
   * sink wants it; returns whether it did (else the caller delivers it).
   */
  take(e: unknown, r: RecordReader, buf: Uint8Array, start: number, at: number): boolean {
    if (e === false) {
      const run = this.#str;
      if (run === null) return false;
      if (this.#hash !== null && this.#hash.n > 0) this.#deliverHashes(buf);
      const i = run.n++;
      run.key[i] = r.sKey;
      run.keyLen[i] = r.sKeyLen;
      run.value[i] = r.sVal;
      run.valueLen[i] = r.sValLen;
      run.deadline[i] = r.sDeadline ?? NaN;
      run.offset[i] = at;
      if (i + 1 === STRING_RUN) this.#deliverStrings(buf);
      return true;
    }
    if (e === true) {
      const run = this.#hash;
      if (run === null) return false;
      if (this.#str !== null && this.#str.n > 0) this.#deliverStrings(buf);
      const i = run.n++;
      if (i === 0) run.from = start;
      run.to = r.pos;
      run.key[i] = r.sKey;
      run.keyLen[i] = r.sKeyLen;
      run.payload[i] = r.sVal;
      run.payloadLen[i] = r.sValLen;
      run.count[i] = r.hCount;
      run.maxLen[i] = r.hMaxLen;
      run.deadline[i] = r.sDeadline ?? NaN;
      run.offset[i] = at;
      if (i + 1 === STRING_RUN) this.#deliverHashes(buf);
      return true;
    }
    return false;
  }

  /** Whether a run waits to be delivered. */
  get pending(): boolean {
    return (this.#str !== null && this.#str.n > 0) || (this.#hash !== null && this.#hash.n > 0);
  }

  /** Delivers the pending run, if any. */
  flush(buf: Uint8Array): void {
    if (this.#str !== null && this.#str.n > 0) this.#deliverStrings(buf);
    if (this.#hash !== null && this.#hash.n > 0) this.#deliverHashes(buf);
  }

  // Each run is emptied even if its sink throws: never delivered twice.
  #deliverStrings(buf: Uint8Array): void {
    try {
      this.#onStrings!(buf, this.#str!);
    } finally {
      this.#str!.n = 0;
    }
  }

  #deliverHashes(buf: Uint8Array): void {
    try {
      this.#onHashes!(buf, this.#hash!);
    } finally {
      this.#hash!.n = 0;
    }
  }
}
