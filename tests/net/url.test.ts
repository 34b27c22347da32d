// Redis URLs: what each part means, and clear errors for what is not one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseRedisUrl, redactRedisUrl } from "../../src/net/url.ts";

describe("parseRedisUrl", () => {
  it("reads host, port, database; the port defaults to 6379", () => {
    assert.deepEqual(parseRedisUrl("redis://cache.local"), {
      host: "cache.local",
      port: 6379,
      tls: false,
      username: undefined,
      password: undefined,
      db: undefined,
    });
    const e = parseRedisUrl("redis://10.0.0.5:7001/3");
    assert.equal(e.port, 7001);
    assert.equal(e.db, 3);
  });

  it("rediss:// means TLS", () => {
    assert.equal(parseRedisUrl("rediss://h:6380").tls, true);
  });

  it("reads a password alone, or a user and a password, percent-decoded", () => {
    assert.equal(parseRedisUrl("redis://:s3cret@h").password, "s3cret");
    assert.equal(parseRedisUrl("redis://:s3cret@h").username, undefined);
    const e = parseRedisUrl("redis://app%40eu:p%3Aw%2Fd@h:1");
    assert.equal(e.username, "app@eu");
    assert.equal(e.password, "p:w/d");
  });

  it("reads a bracketed IPv6 host", () => {
    const e = parseRedisUrl("redis://[::1]:7000");
    assert.equal(e.host, "::1");
    assert.equal(e.port, 7000);
  });

  it("refuses other schemes, bad ports, query options and a user without a password", () => {
    assert.throws(() => parseRedisUrl("http://h"), /unsupported scheme 'http'/);
    assert.throws(() => parseRedisUrl("redis://h:0"), /port must be 1..65535/);
    assert.throws(() => parseRedisUrl("redis://h:70000"), /port must be 1..65535/);
    assert.throws(() => parseRedisUrl("redis://h?timeout=5"), /not a Redis URL/);
    assert.throws(() => parseRedisUrl("redis://app@h"), /user 'app' without a password/);
    assert.throws(() => parseRedisUrl("h:6379"), /not a Redis URL/);
  });

  it("never puts the password in an error message", () => {
    assert.throws(() => parseRedisUrl("redis://u:topsecret@h:99999"), (e: Error) => {
      return !e.message.includes("topsecret") && e.message.includes("u:***@");
    });
    assert.equal(redactRedisUrl("rediss://:pw@h/1"), "rediss://:***@h/1");
  });
});
