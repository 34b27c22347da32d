// Private: the file an AofWriter appends to and what is known about it: its
// size (the bytes written), whether written bytes await an fdatasync, its
// header and format. Writes, syncs, the truncate to a bare header and the
// reopen after a rename keep those facts true; deciding when to do them (and
// what a failure means) is the writer's job.
import { ByteWriter } from "../codec/bytes.ts";
import { AOF_MAGIC } from "../codec/resp.ts";
import { AOF2_MAGIC } from "../codec/aof2.ts";
import type { FsAdapter, WritableFile } from "../fs/types.ts";
import { type Batch, encodeFrameInto } from "./_aof_batches.ts";

/** One open log file with its size, unsynced flag, header and format. */
export class AofFile {
  /** The open log file (a reopen replaces it). */
  file: WritableFile;
  /** Bytes in the file (frames written so far). */
  size: number;
  /** Written since the last fdatasync. */
  dirty = false;
  /** True when the file starts with a header (`KEVYAOF1\n` or `KEVYAOF2\n`). */
  header: boolean;
  /** The format of the file being appended to: 2 writes checksummed records. */
  format: 1 | 2;
  /**
   * Told when the file changes format (a truncate or rewrite wrote the target one), at that
   * moment: frames buffered for the old format must be re-encoded before any is written.
   */
  onFormat: ((format: 1 | 2) => void) | null = null;
  /** The format a rewrite or a truncate starts the next file in (`aofFormat`). */
  readonly target: 1 | 2;
  readonly path: string;

  constructor(
    path: string,
    opened: { file: WritableFile; size: number; header: boolean; format: 1 | 2 },
    target: 1 | 2,
  ) {
    this.path = path;
    this.file = opened.file;
    this.size = opened.size;
    this.header = opened.header;
    this.format = opened.format;
    this.target = target;
  }

  /**
   * Writes the batches' frames in order (no sync). A batch written in full is
   * emptied, so a retry after a failure writes only what is left.
   */
  async write(batches: Batch[]): Promise<void> {
    for (const b of batches) {
      if (b.w.length > 0) {
        await this.file.write(b.w.bytes());
        this.size += b.w.length;
        this.dirty = true;
        b.w.reset();
        b.frames = 0;
      }
    }
  }

  /** One command as a frame in this file's format (a v2 record or a RESP frame). */
  encode(argv: ReadonlyArray<Uint8Array>): Uint8Array {
    const w = new ByteWriter(256);
    encodeFrameInto(w, argv, this.format);
    return w.bytes();
  }

  /** Writes `bytes` blocking (no sync). */
  writeSync(bytes: Uint8Array): void {
    this.file.writeSync(bytes);
    this.size += bytes.length;
    this.dirty = true;
  }

  /** fdatasyncs what was written since the last sync (nothing to do when nothing was). */
  async syncData(): Promise<void> {
    if (!this.dirty) return;
    await this.file.syncData();
    this.dirty = false;
  }

  /** Blocking {@link AofFile.syncData}. */
  syncDataSync(): void {
    if (!this.dirty) return;
    this.file.syncDataSync();
    this.dirty = false;
  }

  /** Syncs what was written and closes the file, blocking. */
  closeSync(): void {
    try {
      this.syncDataSync();
    } finally {
      this.file.closeSync();
    }
  }

  /** Cuts a partial frame of a failed write: the file ends at `size` again. */
  cutBack(): Promise<void> {
    return this.file.truncate(this.size);
  }

  /** Resets the file to a bare header in the target format, synced. */
  async truncateToHeader(): Promise<void> {
    const magic = this.target === 2 ? AOF2_MAGIC : AOF_MAGIC;
    if (this.header && this.format === this.target) {
      await this.file.truncate(magic.length);
    } else {
      // The next log starts in the configured format (v1 -> v2 only here and in a rewrite).
      await this.file.truncate(0);
      await this.file.write(magic);
      this.header = true;
      this.#setFormat(this.target);
    }
    await this.file.sync();
    this.size = magic.length;
    this.dirty = false;
  }

  /**
   * Reopens the log after a rename put a new synced file (with header) in
   * place: of `size` bytes, or as big as `stat` says.
   */
  async reopen(fs: FsAdapter, size?: number): Promise<void> {
    await this.file.close();
    this.file = await fs.openAppend(this.path);
    this.size = size ?? (await fs.stat(this.path))?.size ?? AOF_MAGIC.length;
    this.header = true;
    this.#setFormat(this.target); // a rewrite writes the configured format
    this.dirty = false;
  }

  #setFormat(format: 1 | 2): void {
    if (this.format === format) return;
    this.format = format;
    this.onFormat?.(format);
  }
}
