// Crash images for CrashFs: the fully durable tree a power cut after a recorded op may leave,
// one per variant recipe, de-duplicated.
import {
  contentFor,
  type DirNode,
  type Fill,
  type Pick,
  RECIPES,
  ROOT,
  type State,
} from "./_crash_state.ts";
import { CrashTree } from "./_crash_tree.ts";
import { CRASH_VARIANTS, type CrashVariant } from "./crash_types.ts";

/** A fully durable tree of `state` following a crash recipe (which entries, which contents). */
export function imageTree(state: State, [pick, fill]: [Pick, Fill]): CrashTree {
  const tree = new CrashTree();
  const copy = (src: DirNode, dst: DirNode, ancestors: Set<number>): void => {
    for (const [name, id] of src[pick]) {
      const n = state.get(id)!;
      let childId: number;
      if (n.kind === "file") {
        const c = contentFor(n, fill);
        childId = tree.add({ kind: "file", cur: c, dur: c });
      } else {
        if (ancestors.has(id)) continue; // a cycle only old/new entry mixes can form
        const d: DirNode = { kind: "dir", cur: new Map(), dur: new Map() };
        childId = tree.add(d);
        copy(n, d, new Set(ancestors).add(id));
        d.dur = new Map(d.cur);
      }
      dst.cur.set(name, childId);
    }
  };
  const root = tree.node(ROOT) as DirNode;
  copy(state.get(ROOT) as DirNode, root, new Set([ROOT]));
  root.dur = new Map(root.cur);
  return tree;
}

/**
 * The image trees of `state` for the `wanted` variants, in {@link CRASH_VARIANTS} order; a
 * variant whose tree equals an earlier one's is left out.
 */
export function distinctImages(
  state: State,
  wanted: readonly CrashVariant[],
): Array<[CrashVariant, CrashTree]> {
  const seen = new Set<string>();
  const out: Array<[CrashVariant, CrashTree]> = [];
  for (const variant of CRASH_VARIANTS) {
    if (!wanted.includes(variant)) continue;
    const tree = imageTree(state, RECIPES[variant]);
    const sig = tree.signature();
    if (seen.has(sig)) continue;
    seen.add(sig);
    out.push([variant, tree]);
  }
  return out;
}
