// A short printable rendering of a command for error messages: the verb,
// then each argument quoted when it is short printable text, else its size
// (values can be megabytes of binary data; messages must stay readable).

const MAX_ARGS = 4;
const MAX_TEXT = 40;

function printable(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function hex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, "0");
  return s;
}

function argText(a: Uint8Array | string): string {
  const b = typeof a === "string" ? new TextEncoder().encode(a) : a;
  if (b.length <= MAX_TEXT && printable(b)) return JSON.stringify(new TextDecoder().decode(b));
  if (b.length <= MAX_TEXT / 2) return `0x${hex(b)}`;
  return `<${b.length} bytes>`;
}

/** `SET "user:1" <2048 bytes>`: verb as is, then up to four arguments. */
export function describeCommand(argv: ReadonlyArray<Uint8Array | string>): string {
  if (argv.length === 0) return "";
  const verb = argv[0]!;
  const parts = [typeof verb === "string" ? verb : new TextDecoder().decode(verb.subarray(0, 32))];
  // Credentials never reach a message.
  if (/^(AUTH|HELLO)$/i.test(parts[0]!)) return `${parts[0]} <credentials hidden>`;
  const n = Math.min(argv.length, 1 + MAX_ARGS);
  for (let i = 1; i < n; i++) parts.push(argText(argv[i]!));
  if (argv.length > n) parts.push(`... (${argv.length - 1} arguments)`);
  return parts.join(" ");
}
