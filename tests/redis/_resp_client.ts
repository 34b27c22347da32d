// A minimal pipelining RESP2 client for the oracle tests (node:net, all three
// runtimes): send many commands at once, read every reply, in order.
import { connect, type Socket } from "node:net";
import { encodeCommand } from "../../src/codec/resp.ts";
import type { Reply } from "../../src/store/apply.ts";

/** A reply as Redis sent it: errors are `{ error }`. */
export type RedisReply = Reply;

const CR = 0x0d;

/** Parses one reply at `p`; returns it and the offset after it, or null if incomplete. */
function parseReply(b: Uint8Array, p: number): [RedisReply, number] | null {
  if (p >= b.length) return null;
  const nl = b.indexOf(CR, p);
  if (nl < 0 || nl + 1 >= b.length) return null;
  const line = new TextDecoder().decode(b.subarray(p + 1, nl));
  const after = nl + 2;
  switch (b[p]) {
    case 0x2b: // +
      return [line, after];
    case 0x2d: // -
      return [{ error: line }, after];
    case 0x3a: { // :
      const n = BigInt(line);
      return [Number.isSafeInteger(Number(n)) ? Number(n) : n, after];
    }
    case 0x24: { // $
      const len = Number(line);
      if (len < 0) return [null, after];
      if (after + len + 2 > b.length) return null;
      return [b.slice(after, after + len), after + len + 2];
    }
    case 0x2a: { // *
      const n = Number(line);
      if (n < 0) return [null, after];
      const out: RedisReply[] = [];
      let q = after;
      for (let i = 0; i < n; i++) {
        const r = parseReply(b, q);
        if (r === null) return null;
        out.push(r[0]);
        q = r[1];
      }
      return [out, q];
    }
    default:
      throw new Error(`bad reply byte ${b[p]} at ${p}`);
  }
}

/** One connection. */
export class RespClient {
  #buf = new Uint8Array(0);
  #waiting: Array<(r: RedisReply) => void> = [];
  #closed: Error | null = null;
  /** Replies nobody waited for: what a (P)SUBSCRIBEd connection receives. */
  readonly pushes: RedisReply[] = [];

  private constructor(private readonly sock: Socket) {
    sock.on("data", (d: Uint8Array) => this.#onData(d));
    sock.on("error", (e: Error) => (this.#closed = e));
  }

  /** Connects to 127.0.0.1:port. */
  static connect(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: "127.0.0.1" }, () => resolve(new RespClient(s)));
      s.once("error", reject);
    });
  }

  #onData(d: Uint8Array): void {
    const b = new Uint8Array(this.#buf.length + d.length);
    b.set(this.#buf);
    b.set(d, this.#buf.length);
    let p = 0;
    for (;;) {
      const r = parseReply(b, p);
      if (r === null) break;
      p = r[1];
      const w = this.#waiting.shift();
      if (w !== undefined) w(r[0]);
      else this.pushes.push(r[0]); // a subscriber's messages
    }
    this.#buf = b.slice(p);
  }

  /** Sends every command, resolves with every reply, in order. */
  async run(cmds: ReadonlyArray<ReadonlyArray<string | Uint8Array>>): Promise<RedisReply[]> {
    if (this.#closed) throw this.#closed;
    const replies = cmds.map(() => new Promise<RedisReply>((res) => this.#waiting.push(res)));
    const frames = cmds.map((c) => encodeCommand(c as Array<string | Uint8Array>));
    const total = frames.reduce((n, f) => n + f.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const f of frames) {
      out.set(f, at);
      at += f.length;
    }
    this.sock.write(out);
    return await Promise.all(replies);
  }

  /** One command. */
  async call(...cmd: Array<string | Uint8Array>): Promise<RedisReply> {
    return (await this.run([cmd]))[0]!;
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return new Promise((res) => {
      this.sock.end(() => res());
      this.sock.destroy();
    });
  }
}

/** A canonical, comparable form of a reply: ints and bulks tagged, errors reduced to a flag. */
export function canon(r: RedisReply): unknown {
  if (r === null) return null;
  if (typeof r === "number" || typeof r === "bigint") return `i:${r}`;
  if (typeof r === "string") return `s:${r}`;
  if (r instanceof Uint8Array) {
    return `b:${[...r].map((x) => x.toString(16).padStart(2, "0")).join("")}`;
  }
  if (Array.isArray(r)) return r.map(canon);
  return "error";
}
