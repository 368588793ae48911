/**
 * Keeping a graph walk finite. Content addressed by digest cannot name itself, but what a
 * server lists around it can (a referrers list naming the manifest it is asked about, or
 * one of its own ancestors), and a walk that shares work between branches then waits for
 * itself forever. The guard records which manifest waits for which, refuses a wait that
 * would close a loop, and bounds the depth and the number of manifests a walk visits.
 * @module
 */
import { OcidistError } from "../model/errors.js";
import { MAX_GRAPH_DEPTH, MAX_GRAPH_NODES } from "../model/limits.js";

/** A content graph that loops or is too large to walk. */
export class GraphLimitError extends OcidistError {
  override name = "GraphLimitError";
}

/** One walk's wait-for graph, depth and node count. */
export class WalkGuard {
  private readonly waits = new Map<string, Set<string>>();
  private readonly finished = new Set<string>();
  private nodes = 0;

  constructor(
    private readonly maxDepth = MAX_GRAPH_DEPTH,
    private readonly maxNodes = MAX_GRAPH_NODES,
  ) {}

  /** Counts a manifest the walk reaches for the first time, `depth` levels below the top. @throws GraphLimitError */
  visit(digest: string, depth: number): void {
    if (++this.nodes > this.maxNodes) throw new GraphLimitError(`the graph has more than ${this.maxNodes} manifests (the limit of one walk); refused at ${digest}`);
    if (depth > this.maxDepth) throw new GraphLimitError(`the graph is more than ${this.maxDepth} manifests deep (the limit of one walk); refused at ${digest}`);
  }

  /** Records that `parent` waits for `child`. @throws GraphLimitError when `child` already waits, however indirectly, for `parent` */
  wait(parent: string, child: string): void {
    if (this.finished.has(child)) return;
    const loop = parent === child ? [child] : this.path(child, parent);
    if (loop) throw new GraphLimitError(`the graph refers back to itself: ${[parent, ...loop].join(" → ")}`);
    let set = this.waits.get(parent);
    if (!set) this.waits.set(parent, (set = new Set()));
    set.add(child);
  }

  /** Records that a manifest and everything below it is done: nothing waits in it any more. */
  done(digest: string): void {
    this.finished.add(digest);
    this.waits.delete(digest);
  }

  /** A chain of waits from `from` to `to` (both included), if there is one. */
  private path(from: string, to: string): string[] | undefined {
    const seen = new Set<string>([from]);
    const stack: string[][] = [[from]];
    while (stack.length) {
      const chain = stack.pop()!;
      for (const next of this.waits.get(chain[chain.length - 1]!) ?? []) {
        if (next === to) return [...chain, next];
        if (seen.has(next) || this.finished.has(next)) continue;
        seen.add(next);
        stack.push([...chain, next]);
      }
    }
    return undefined;
  }
}
