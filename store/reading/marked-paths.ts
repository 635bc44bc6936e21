/**
 * The paths a download marked placed (a version's: each once), as it gave them: a Set of them is made only when one
 * path is asked about, or taken out. Saving a version marked whole beside the one in place asks about none (every row
 * is marked), and the Set of 20,000 paths was most of marking it.
 */
export class MarkedPaths {
  private set: Set<string> | undefined;
  private taken = false;

  constructor(private readonly paths: readonly string[]) {}

  get size(): number {
    return this.set?.size ?? this.paths.length;
  }

  /** The paths as given, in their order, while none was taken out. */
  get listed(): readonly string[] | undefined {
    return this.taken ? undefined : this.paths;
  }

  has(entryPath: string): boolean {
    return this.asSet().has(entryPath);
  }

  delete(entryPath: string): void {
    this.taken = this.asSet().delete(entryPath) || this.taken;
  }

  private asSet(): Set<string> {
    return (this.set ??= new Set(this.paths));
  }
}
