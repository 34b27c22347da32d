// A store holding every exportable type, binary keys, TTLs and awkward scores.
import { utf8 } from "../_helpers.ts";
import type { Entry } from "../../src/codec/types.ts";
import { Store } from "../../src/store/store.ts";

/** Every byte value 0..255, as a key and a value. */
export const ALL_BYTES: Uint8Array = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Scores Redis must read back bit-exact. */
export const HARD_SCORES: number[] = [
  -0,
  Infinity,
  -Infinity,
  1e-20,
  5e-324,
  0.1,
  -1.7976931348623157e308,
  123456789.123456789,
];

/** The entries of the sample store; `deadline` is relative to `now`. */
export function sampleEntries(now: number): Entry[] {
  const far = now + 3_600_000;
  return [
    { key: utf8("str"), value: { type: "string", value: utf8("hello") }, deadline: null },
    { key: utf8("empty-str"), value: { type: "string", value: new Uint8Array(0) }, deadline: null },
    { key: ALL_BYTES, value: { type: "string", value: ALL_BYTES }, deadline: far },
    {
      key: utf8("crlf\r\n*1\r\n"),
      value: { type: "string", value: utf8("$3\r\nx\r\n") },
      deadline: null,
    },
    {
      key: utf8("hash"),
      value: {
        type: "hash",
        value: Array.from(
          { length: 150 },
          (_, i) => [utf8(`f${i}`), utf8(`v${i}`)] as [Uint8Array, Uint8Array],
        ),
      },
      deadline: far + 1,
    },
    {
      key: utf8("list"),
      value: {
        type: "list",
        value: [
          utf8("b"),
          utf8("a"),
          new Uint8Array([0, 255]),
          utf8("b"),
          ...Array.from({ length: 130 }, (_, i) => utf8(`${i}`)),
        ],
      },
      deadline: null,
    },
    {
      key: utf8("set"),
      value: { type: "set", value: Array.from({ length: 70 }, (_, i) => utf8(`m${i}`)) },
      deadline: null,
    },
    {
      key: utf8("zset"),
      value: {
        type: "zset",
        value: HARD_SCORES.map((s, i) =>
          [new Uint8Array([i, 0, 13, 10]), s] as [Uint8Array, number]
        ),
      },
      deadline: far + 2,
    },
    {
      key: utf8("bigzset"),
      value: {
        type: "zset",
        value: Array.from(
          { length: 100 },
          (_, i) => [utf8(`z${i}`), i / 3] as [Uint8Array, number],
        ),
      },
      deadline: null,
    },
  ];
}

/** A store with {@link sampleEntries}. */
export function sampleStore(now: () => number): Store {
  const s = new Store({ now });
  for (const e of sampleEntries(now())) s.put(e);
  return s;
}
