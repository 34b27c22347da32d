// The RESP client against a live redis-server (and a few fake servers for
// the failures a real one will not produce on demand): pipelining,
// backpressure, AUTH, SELECT, TLS, RESP3, timeouts and typed errors.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { fixturePath, utf8 } from "../_helpers.ts";
import { encodeCommandInto } from "../../src/codec/resp.ts";
import { ByteWriter } from "../../src/codec/bytes.ts";
import { RedisConnection } from "../../src/net/connection.ts";
import {
  RedisAuthError,
  RedisConnectionError,
  RedisReplyError,
  RedisTimeoutError,
} from "../../src/net/errors.ts";
import { RespMap } from "../../src/net/reply.ts";
import { freePort, redisMissing, redisRequired, RedisServer } from "../redis/_redis_server.ts";

const SLOW = { timeout: 60_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/net/connection.test.ts: ${skip}`);

const TLS = {
  cert: fixturePath("tls/server.crt"),
  key: fixturePath("tls/server.key"),
  ca: fixturePath("tls/ca.crt"),
};

/** A TCP server that runs `handler` for each connection; closed with `close()`. */
async function fakeServer(
  handler: (s: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const srv: Server = createServer((s) => {
    sockets.push(s);
    handler(s);
  });
  await new Promise<void>((res) => srv.listen(0, "127.0.0.1", () => res()));
  const addr = srv.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        srv.close(() => res());
      }),
  };
}

describe("RedisConnection against redis-server", { skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ aof: false });
  }, SLOW);
  after(async () => {
    await server?.stop();
  });

  it(
    "sends commands and reads every reply type; keys and values are binary-safe",
    SLOW,
    async () => {
      const c = await RedisConnection.connect({ url: server.url });
      try {
        const key = new Uint8Array([0, 0x0d, 0x0a, 0xff, 0x7b]);
        assert.equal(await c.command(["SET", key, new Uint8Array([0, 1, 2])]), "OK");
        assert.deepEqual(await c.command(["GET", key]), new Uint8Array([0, 1, 2]));
        assert.equal(await c.command(["GET", "missing"]), null);
        assert.equal(await c.command(["RPUSH", "list", "a", "b"]), 2);
        assert.deepEqual(await c.command(["LRANGE", "list", "0", "-1"]), [utf8("a"), utf8("b")]);
        assert.equal(await c.command(["DEL", key, "list"]), 2);
      } finally {
        await c.close();
      }
    },
  );

  it("pipelines: many commands issued at once resolve in order", SLOW, async () => {
    const c = await RedisConnection.connect({ url: server.url });
    try {
      const n = 20_000;
      const all: Array<Promise<unknown>> = [];
      for (let i = 0; i < n; i++) all.push(c.command(["INCR", "counter:pipe"]));
      const replies = await Promise.all(all);
      assert.deepEqual(replies, Array.from({ length: n }, (_, i) => i + 1));
    } finally {
      await c.close();
    }
  });

  it("names the command that caused an error reply", SLOW, async () => {
    const c = await RedisConnection.connect({ url: server.url });
    try {
      await c.command(["SET", "str", "v"]);
      await assert.rejects(c.command(["LPUSH", "str", "x"]), (e: unknown) => {
        assert.ok(e instanceof RedisReplyError);
        assert.equal(e.code, "WRONGTYPE");
        assert.equal(e.command, 'LPUSH "str" "x"');
        assert.match(e.message, /^127\.0\.0\.1:\d+: WRONGTYPE .*\(command: LPUSH "str" "x"\)$/);
        return true;
      });
      // The connection stays usable after an error reply.
      assert.equal(await c.command(["PING"]), "PONG");
    } finally {
      await c.close();
    }
  });

  it("sendFrames: one batch, error replies listed by index with their command", SLOW, async () => {
    const c = await RedisConnection.connect({ url: server.url });
    try {
      const w = new ByteWriter();
      encodeCommandInto(w, ["SET", "b:1", "x"]);
      encodeCommandInto(w, ["HSET", "b:1", "f", "v"]); // wrong type
      encodeCommandInto(w, ["SET", "b:2", "y"]);
      encodeCommandInto(w, ["INCR", "b:2"]); // not an integer
      const r = await c.sendFrames(w.bytes(), 4, { keepReplies: true });
      assert.deepEqual(r.errors.map((e) => [e.index, e.error.code, e.error.command]), [
        [1, "WRONGTYPE", 'HSET "b:1" "f" "v"'],
        [3, "ERR", 'INCR "b:2"'],
      ]);
      assert.equal(r.replies!.length, 4);
      assert.equal(r.replies![0], "OK");
      assert.deepEqual(await c.pipeline([["GET", "b:1"], ["GET", "b:2"]]), [utf8("x"), utf8("y")]);
    } finally {
      await c.close();
    }
  });

  it(
    "backpressure: a producer waiting on writable() never has more than the bound in flight",
    SLOW,
    async () => {
      const bound = 4096;
      const c = await RedisConnection.connect({ url: server.url, maxInFlightBytes: bound });
      try {
        let peak = 0;
        const value = new Uint8Array(300);
        const all: Array<Promise<unknown>> = [];
        for (let i = 0; i < 3000; i++) {
          await c.writable();
          all.push(c.command(["SET", `bp:${i}`, value]));
          peak = Math.max(peak, c.inFlightBytes);
        }
        await Promise.all(all);
        // One command may take it over the bound (it is sent once below it).
        assert.ok(peak <= bound + 400, `peak ${peak} bytes in flight, bound ${bound}`);
        assert.ok(peak > bound / 2, `the bound is actually used (peak ${peak})`);
        assert.equal(c.inFlightBytes, 0);
        assert.equal(await c.command(["DBSIZE"]) as number >= 3000, true);
      } finally {
        await c.close();
      }
    },
  );

  it("SELECT: the database from the URL or the option", SLOW, async () => {
    const c = await RedisConnection.connect({ url: `${server.url}/5` });
    await c.command(["SET", "in-db-5", "1"]);
    await c.close();
    assert.equal((await server.cli(["EXISTS", "in-db-5"], 5)).trim(), "1");
    assert.equal((await server.cli(["EXISTS", "in-db-5"], 0)).trim(), "0");
    const d = await RedisConnection.connect({ url: server.url, db: 5 });
    assert.deepEqual(await d.command(["GET", "in-db-5"]), utf8("1"));
    await d.close();
  });

  it("RESP3 (HELLO 3): maps come back as RespMap", SLOW, async () => {
    const c = await RedisConnection.connect({ url: server.url, protocol: 3 });
    try {
      await c.command(["HSET", "h3", "f", "v"]);
      const r = await c.command(["HGETALL", "h3"]);
      assert.ok(r instanceof RespMap);
      assert.deepEqual(r.entries, [[utf8("f"), utf8("v")]]);
    } finally {
      await c.close();
    }
  });

  it("a refused connection is a RedisConnectionError with ECONNREFUSED", SLOW, async () => {
    const port = await freePort();
    await assert.rejects(RedisConnection.connect({ port }), (e: unknown) => {
      assert.ok(e instanceof RedisConnectionError);
      assert.equal(e.code, "ECONNREFUSED");
      assert.match(e.message, new RegExp(`^127\\.0\\.0\\.1:${port}: connection refused`));
      return true;
    });
  });
});

describe("RedisConnection: AUTH", { skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ aof: false, password: "p@ss:word" });
    await server.cli(["ACL", "SETUSER", "app", "on", ">app-pw", "~*", "+@all"]);
  }, SLOW);
  after(async () => {
    await server?.stop();
  });

  it("logs in with the password from the URL (percent-encoded)", SLOW, async () => {
    const c = await RedisConnection.connect({ url: server.url });
    assert.equal(await c.command(["PING"]), "PONG");
    await c.close();
  });

  it("logs in as an ACL user, also over RESP3", SLOW, async () => {
    const url = `redis://app:app-pw@127.0.0.1:${server.port}`;
    for (const protocol of [2, 3] as const) {
      const c = await RedisConnection.connect({ url, protocol });
      assert.deepEqual(await c.command(["ACL", "WHOAMI"]), utf8("app"));
      await c.close();
    }
  });

  it(
    "a wrong password or none at all is a RedisAuthError that does not show the password",
    SLOW,
    async () => {
      await assert.rejects(
        RedisConnection.connect({ url: `redis://app:nope@127.0.0.1:${server.port}` }),
        (e: unknown) => {
          assert.ok(e instanceof RedisAuthError);
          assert.equal(e.username, "app");
          assert.match(e.message, /WRONGPASS/);
          assert.ok(!e.message.includes("nope"));
          return true;
        },
      );
      await assert.rejects(RedisConnection.connect({ port: server.port }), (e: unknown) => {
        assert.ok(e instanceof RedisAuthError);
        assert.match(e.message, /NOAUTH.*no password given/);
        return true;
      });
    },
  );
});

describe("RedisConnection: rediss:// (TLS)", { skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ aof: false, tls: TLS });
  }, SLOW);
  after(async () => {
    await server?.stop();
  });

  it("connects with the server's CA", SLOW, async () => {
    const { readFileSync } = await import("node:fs");
    const c = await RedisConnection.connect({
      url: server.url,
      tls: { ca: readFileSync(TLS.ca, "utf8") },
    });
    await c.command(["SET", "over-tls", "yes"]);
    assert.deepEqual(await c.command(["GET", "over-tls"]), utf8("yes"));
    await c.close();
  });

  it("refuses a certificate it cannot verify", SLOW, async () => {
    await assert.rejects(
      RedisConnection.connect({ url: server.url, connectTimeoutMs: 5000 }),
      (e: unknown) =>
        e instanceof RedisConnectionError && /certificate|self.signed|verify/i.test(e.message),
    );
  });
});

describe("RedisConnection: broken servers", () => {
  it("times out when no reply comes, and says how many commands are unanswered", SLOW, async () => {
    const fake = await fakeServer((s) => {
      s.on("data", (d: Uint8Array) => {
        // Answer the handshake PING only.
        if (new TextDecoder().decode(d).includes("PING")) s.write("+PONG\r\n");
      });
    });
    try {
      const c = await RedisConnection.connect({ port: fake.port, commandTimeoutMs: 150 });
      const a = c.command(["GET", "a"]);
      const b = c.command(["GET", "b"]);
      await assert.rejects(a, (e: unknown) => {
        assert.ok(e instanceof RedisTimeoutError);
        assert.equal(e.unanswered, 2);
        assert.match(e.message, /no reply for 150 ms \(2 command\(s\) sent without a reply/);
        return true;
      });
      await assert.rejects(b, RedisTimeoutError);
      assert.equal(c.closed, true);
      await assert.rejects(c.command(["PING"]), RedisTimeoutError);
    } finally {
      await fake.close();
    }
  });

  it("a server that goes away fails every outstanding command with the count", SLOW, async () => {
    const fake = await fakeServer((s) => {
      let seen = 0;
      s.on("data", (d: Uint8Array) => {
        const t = new TextDecoder().decode(d);
        if (t.includes("PING") && seen === 0) {
          seen++;
          s.write("+PONG\r\n");
          return;
        }
        s.write("+OK\r\n"); // one reply, then gone
        s.destroy();
      });
    });
    try {
      const c = await RedisConnection.connect({ port: fake.port });
      const results = await Promise.allSettled([
        c.command(["SET", "a", "1"]),
        c.command(["SET", "b", "2"]),
        c.command(["SET", "c", "3"]),
      ]);
      assert.equal(results[0]!.status, "fulfilled");
      for (const r of results.slice(1)) {
        assert.equal(r.status, "rejected");
        const e = (r as PromiseRejectedResult).reason;
        assert.ok(e instanceof RedisConnectionError);
        assert.equal(e.unanswered, 2);
        assert.match(e.message, /closed by the server \(2 command\(s\) sent without a reply/);
      }
    } finally {
      await fake.close();
    }
  });

  it("garbage from the server is a protocol error that closes the connection", SLOW, async () => {
    const fake = await fakeServer((s) => {
      s.on("data", () => s.write("HTTP/1.1 400 Bad Request\r\n\r\n"));
    });
    try {
      await assert.rejects(RedisConnection.connect({ port: fake.port }), (e: unknown) => {
        return e instanceof RedisConnectionError &&
          /protocol error: expected a RESP type byte/.test(e.message);
      });
    } finally {
      await fake.close();
    }
  });
});
