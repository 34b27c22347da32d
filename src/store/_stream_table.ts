// Private: the stream rows of the command table: arity (Redis 7.0), flags,
// key positions, how a success is logged (see _stream_log.ts), its keyspace
// events (_stream_notify.ts), how XREAD/XREADGROUP BLOCK wait
// (_stream_block.ts) and handler.
import { STREAM_ENTRY_HANDLERS } from "./_apply_stream.ts";
import { STREAM_GROUP_HANDLERS } from "./_apply_stream_group.ts";
import { STREAM_INFO_HANDLERS } from "./_apply_stream_info.ts";
import { parseRead, STREAM_READ_HANDLERS } from "./_apply_stream_read.ts";
import { isWord } from "./_apply_stream_common.ts";
import {
  logXadd,
  logXautoclaim,
  logXclaim,
  logXreadgroup,
  logXtrim,
  preXclaim,
  preXreadgroup,
} from "./_stream_log.ts";
import { readBlockMs, readyReadArgv, xreadBlockArgv } from "./_stream_block.ts";
import {
  claimEvents,
  preClaimer,
  preXadd,
  preXgroup,
  xaddEvents,
  xgroupEvents,
  xreadgroupEvents,
} from "./_stream_notify.ts";
import {
  argvIfPositive,
  type CommandSpec,
  type Frame,
  KEY1,
  type KeySpec,
  type LogInput,
} from "./_command.ts";

/** XREAD / XREADGROUP keys: the first half of what follows STREAMS. */
function readKeys(group: boolean): KeySpec {
  return [(argv) => {
    try {
      const r = parseRead([...argv], group);
      return Array.from({ length: r.n }, (_, i) => r.keysAt + i);
    } catch {
      return [];
    }
  }];
}

/** XGROUP / XINFO: the key follows the subcommand. */
const KEY2: KeySpec = [{ first: 2, last: 2, step: 1 }];

/** XGROUP: CREATE/SETID/DELCONSUMER as given; DESTROY/CREATECONSUMER when they did something. */
function logXgroup(x: LogInput): Frame[] {
  const sub = x.argv[1]!;
  if (isWord(sub, "HELP")) return [];
  if (isWord(sub, "DESTROY") || isWord(sub, "CREATECONSUMER")) return argvIfPositive(x);
  return [x.argv];
}

const H = {
  ...STREAM_ENTRY_HANDLERS,
  ...STREAM_GROUP_HANDLERS,
  ...STREAM_READ_HANDLERS,
  ...STREAM_INFO_HANDLERS,
};

/** The stream command rows. */
export const STREAM_COMMANDS: CommandSpec[] = [
  {
    name: "xadd",
    arity: -5,
    flags: "write denyoom fast",
    keys: KEY1,
    log: logXadd,
    pre: preXadd,
    notify: xaddEvents,
    fn: H.xadd!,
  },
  { name: "xtrim", arity: -4, flags: "write", keys: KEY1, log: logXtrim, fn: H.xtrim! },
  { name: "xdel", arity: -3, flags: "write fast", keys: KEY1, log: argvIfPositive, fn: H.xdel! },
  { name: "xlen", arity: 2, flags: "readonly fast", keys: KEY1, log: "none", fn: H.xlen! },
  { name: "xrange", arity: -4, flags: "readonly", keys: KEY1, log: "none", fn: H.xrange! },
  { name: "xrevrange", arity: -4, flags: "readonly", keys: KEY1, log: "none", fn: H.xrevrange! },
  {
    name: "xsetid",
    arity: -3,
    flags: "write denyoom fast",
    keys: KEY1,
    log: "argv",
    fn: H.xsetid!,
  },
  {
    name: "xgroup",
    arity: -2,
    flags: "write",
    keys: KEY2,
    log: logXgroup,
    pre: preXgroup,
    notify: xgroupEvents,
    fn: H.xgroup!,
  },
  {
    name: "xack",
    arity: -4,
    flags: "write fast",
    keys: KEY1,
    log: argvIfPositive,
    notify: "none",
    fn: H.xack!,
  },
  { name: "xpending", arity: -3, flags: "readonly", keys: KEY1, log: "none", fn: H.xpending! },
  {
    name: "xclaim",
    arity: -6,
    flags: "write fast",
    keys: KEY1,
    log: logXclaim,
    pre: preXclaim,
    notify: (x) =>
      claimEvents(x, (x.pre as { before: { consumer: boolean } } | null)?.before.consumer ?? true),
    fn: H.xclaim!,
  },
  {
    name: "xautoclaim",
    arity: -6,
    flags: "write fast",
    keys: KEY1,
    log: logXautoclaim,
    pre: preClaimer,
    notify: (x) => claimEvents(x, x.pre !== false),
    fn: H.xautoclaim!,
  },
  {
    name: "xread",
    arity: -4,
    flags: "readonly blocking",
    keys: readKeys(false),
    log: "none",
    blockTimeout: readBlockMs(false),
    blockArgv: xreadBlockArgv,
    readyArgv: readyReadArgv(false),
    fn: H.xread!,
  },
  {
    name: "xreadgroup",
    arity: -7,
    flags: "write blocking",
    keys: readKeys(true),
    log: logXreadgroup,
    pre: preXreadgroup,
    notify: xreadgroupEvents,
    blockTimeout: readBlockMs(true),
    readyArgv: readyReadArgv(true),
    fn: H.xreadgroup!,
  },
  { name: "xinfo", arity: -2, flags: "readonly", keys: KEY2, log: "none", fn: H.xinfo! },
];
