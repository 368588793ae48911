/**
 * Referrers in an OCI image layout, recorded as oras, regclient and zot record them: each
 * referrer manifest is an `index.json` entry of its own (its descriptor with
 * `artifactType`, no `org.opencontainers.image.ref.name`), and a reader finds the referrers
 * of a digest by reading the manifests the entries point at for a `subject` naming it.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { blobPathInLayout } from "./layout-files.js";
import { MAX_MANIFEST_BYTES } from "../model/manifest.js";
import { isIndexMediaType, isImageManifestMediaType } from "../model/media-types.js";
import { referrerDescriptor } from "../registry/referrers.js";
import type { LayoutFs } from "./layout-fs.js";

/** The `subject` digest of each index.json entry that has one (entries are read once). */
export class LayoutSubjects {
  private scan?: Promise<Map<string, Descriptor & { subject: string }>>;

  constructor(
    private readonly fs: LayoutFs,
    private readonly entries: readonly Descriptor[],
  ) {}

  /** Entries whose manifest has a subject, by digest, each as its referrers-list descriptor. */
  private referrerEntries(): Promise<Map<string, Descriptor & { subject: string }>> {
    this.scan ??= (async () => {
      const out = new Map<string, Descriptor & { subject: string }>();
      for (const e of this.entries) {
        if (!isImageManifestMediaType(e.mediaType) && !isIndexMediaType(e.mediaType)) continue;
        const bytes = await this.fs.read(blobPathInLayout(e.digest), MAX_MANIFEST_BYTES).catch(() => undefined);
        if (!bytes) continue;
        let subject: unknown;
        try {
          subject = (JSON.parse(bytes.toString("utf8")) as { subject?: { digest?: unknown } }).subject?.digest;
        } catch {
          continue;
        }
        if (typeof subject !== "string") continue;
        const { annotations: _a, ...plain } = e;
        const d = referrerDescriptor(plain, bytes);
        if (d) out.set(e.digest, { ...d, ...(e.artifactType ? { artifactType: e.artifactType } : {}), subject });
      }
      return out;
    })();
    return this.scan;
  }

  /** True when the entry is a referrer (its manifest has a subject) rather than an image of its own. */
  async isReferrer(entry: Descriptor): Promise<boolean> {
    return (await this.referrerEntries()).has(entry.digest);
  }

  /** The referrers of `digest`, optionally of one artifact type. */
  async referrersOf(digest: string, artifactType?: string): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    for (const r of (await this.referrerEntries()).values()) {
      if (r.subject !== digest || (artifactType && r.artifactType !== artifactType)) continue;
      const { subject: _s, ...desc } = r;
      out.push(desc);
    }
    return out;
  }
}
