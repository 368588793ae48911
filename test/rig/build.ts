/**
 * Building fixture content in memory: layer tars (gzip), image configs and manifests,
 * indexes, Docker schema 1 manifests signed the way libtrust signs them (JWS, ES256, `jwk`
 * header), artifacts and referrers.
 */
import { createHash, generateKeyPairSync, sign as cryptoSign, type KeyObject } from "node:crypto";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

/** A blob: bytes and descriptor. */
export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
  annotations?: Record<string, string>;
}

/** sha256:hex of bytes. */
export function sha(bytes: Buffer | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A blob of bytes with a media type. */
export function blob(mediaType: string, bytes: Buffer, annotations?: Record<string, string>): Blob {
  return { mediaType, digest: sha(bytes), size: bytes.length, bytes, ...(annotations ? { annotations } : {}) };
}

/** A descriptor of a blob (without its bytes). */
export function desc(b: Blob, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mediaType: b.mediaType, digest: b.digest, size: b.size, ...(b.annotations ? { annotations: b.annotations } : {}), ...extra };
}

/** One entry of a layer tar. */
export type Entry =
  | { name: string; type?: "file"; content: string | Buffer; mode?: number; mtime?: Date }
  | { name: string; type: "directory"; mode?: number }
  | { name: string; type: "symlink" | "link"; linkname: string }
  | { name: string; type: "fifo" | "character-device" };

/** An uncompressed tar of the entries. */
export async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => pack.on("end", () => r()));
  const mtime = new Date("2024-01-02T03:04:05Z");
  for (const e of entries) {
    if (e.type === "directory") pack.entry({ name: e.name, type: "directory", mode: e.mode ?? 0o755, mtime });
    else if (e.type === "symlink" || e.type === "link") pack.entry({ name: e.name, type: e.type, linkname: e.linkname, mtime });
    else if (e.type === "fifo" || e.type === "character-device") pack.entry({ name: e.name, type: e.type, mode: 0o644, mtime });
    else if ("content" in e) pack.entry({ name: e.name, mode: e.mode ?? 0o644, mtime: e.mtime ?? mtime }, e.content);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A layer: gzip of a tar, with its diff ID. */
export interface Layer extends Blob {
  diffId: string;
}

/** A gzip layer of the entries. */
export async function layer(entries: Entry[], mediaType = "application/vnd.oci.image.layer.v1.tar+gzip"): Promise<Layer> {
  const raw = await tarOf(entries);
  const gz = gzipSync(raw);
  return { ...blob(mediaType, gz), diffId: sha(raw) };
}

/** Media types of the two manifest families. */
export const TYPES = {
  oci: {
    manifest: "application/vnd.oci.image.manifest.v1+json",
    index: "application/vnd.oci.image.index.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    layer: "application/vnd.oci.image.layer.v1.tar+gzip",
  },
  docker: {
    manifest: "application/vnd.docker.distribution.manifest.v2+json",
    index: "application/vnd.docker.distribution.manifest.list.v2+json",
    config: "application/vnd.docker.container.image.v1+json",
    layer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  },
};

/** An image: its config, layers and manifest. */
export interface Image {
  config: Blob;
  layers: Layer[];
  manifest: Blob;
  platform: { os: string; architecture: string; variant?: string; "os.version"?: string };
}

/** Builds an image from layers. */
export function image(
  layers: Layer[],
  opts: { kind?: "oci" | "docker"; os?: string; architecture?: string; variant?: string; osVersion?: string; env?: string[]; cmd?: string[]; labels?: Record<string, string>; subject?: Blob; annotations?: Record<string, string> } = {},
): Image {
  const t = TYPES[opts.kind ?? "oci"];
  const platform = { os: opts.os ?? "linux", architecture: opts.architecture ?? "amd64", ...(opts.variant ? { variant: opts.variant } : {}), ...(opts.osVersion ? { "os.version": opts.osVersion } : {}) };
  const configDoc = {
    created: "2024-01-02T03:04:05Z",
    ...platform,
    config: { Env: opts.env ?? ["PATH=/usr/bin:/bin"], Cmd: opts.cmd ?? ["/bin/sh"], Labels: opts.labels ?? { "org.example.fixture": "yes" } },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created: "2024-01-02T03:04:05Z", created_by: `layer ${i}` })),
  };
  const config = blob(t.config, Buffer.from(JSON.stringify(configDoc)));
  const doc = {
    schemaVersion: 2,
    mediaType: t.manifest,
    config: desc(config),
    layers: layers.map((l) => desc({ ...l, mediaType: opts.kind === "docker" ? t.layer : l.mediaType })),
    ...(opts.subject ? { subject: desc(opts.subject) } : {}),
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  };
  return { config, layers, manifest: blob(t.manifest, Buffer.from(JSON.stringify(doc, null, 2))), platform };
}

/** An index over manifests; `extra` entries (attestations) come first when `attestationsFirst`. */
export function index(entries: { manifest: Blob; platform?: Record<string, string>; annotations?: Record<string, string> }[], kind: "oci" | "docker" = "oci", annotations?: Record<string, string>): Blob {
  const t = TYPES[kind];
  const doc = {
    schemaVersion: 2,
    mediaType: t.index,
    manifests: entries.map((e) => desc(e.manifest, { ...(e.platform ? { platform: e.platform } : {}), ...(e.annotations ? { annotations: e.annotations } : {}) })),
    ...(annotations ? { annotations } : {}),
  };
  return blob(t.index, Buffer.from(JSON.stringify(doc, null, 2)));
}

/** A BuildKit-style attestation manifest for an image (platform unknown/unknown). */
export function attestation(forImage: Blob): { image: Image; entry: { manifest: Blob; platform: Record<string, string>; annotations: Record<string, string> } } {
  const statement = blob("application/vnd.in-toto+json", Buffer.from(JSON.stringify({ _type: "https://in-toto.io/Statement/v0.1", subject: [{ digest: { sha256: forImage.digest.slice(7) } }] })), { "in-toto.io/predicate-type": "https://spdx.dev/Document" });
  const config = blob(TYPES.oci.config, Buffer.from(JSON.stringify({ architecture: "unknown", os: "unknown", config: {}, rootfs: { type: "layers", diff_ids: [sha(statement.bytes)] } })));
  const doc = { schemaVersion: 2, mediaType: TYPES.oci.manifest, config: desc(config), layers: [desc(statement)] };
  const manifest = blob(TYPES.oci.manifest, Buffer.from(JSON.stringify(doc)));
  const img: Image = { config, layers: [{ ...statement, diffId: sha(statement.bytes) }], manifest, platform: { os: "unknown", architecture: "unknown" } };
  return {
    image: img,
    entry: { manifest, platform: { os: "unknown", architecture: "unknown" }, annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": forImage.digest } },
  };
}

/** libtrust's key ID: base32 of the first 240 bits of sha256(SPKI DER), in groups of four. */
function libtrustKeyId(pub: KeyObject): string {
  const der = pub.export({ type: "spki", format: "der" });
  const h = createHash("sha256").update(der).digest().subarray(0, 30);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const b of h) bits += b.toString(2).padStart(8, "0");
  let out = "";
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return out.match(/.{4}/g)!.join(":");
}

/** Signs a schema 1 payload with a fresh P-256 key as libtrust does (`prettyjws`); `time` goes into the protected header. */
export function signSchema1(payload: Buffer, time = "2024-01-02T03:04:05Z"): Buffer {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwkPub = publicKey.export({ format: "jwk" }) as { crv: string; x: string; y: string; kty: string };
  const text = payload.toString("utf8");
  const formatLength = text.lastIndexOf("}") - (text.slice(0, text.lastIndexOf("}")).length - text.slice(0, text.lastIndexOf("}")).trimEnd().length);
  const tail = payload.subarray(formatLength);
  const protectedHeader = Buffer.from(JSON.stringify({ formatLength, formatTail: tail.toString("base64url"), time })).toString("base64url");
  const signingInput = `${protectedHeader}.${payload.toString("base64url")}`;
  const signature = cryptoSign("sha256", Buffer.from(signingInput), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url");
  const sigs = [{ header: { jwk: { crv: jwkPub.crv, kid: libtrustKeyId(publicKey), kty: jwkPub.kty, x: jwkPub.x, y: jwkPub.y }, alg: "ES256" }, signature, protected: protectedHeader }];
  return Buffer.concat([payload.subarray(0, formatLength), Buffer.from(`,\n   "signatures": ${JSON.stringify(sigs, null, 3).replace(/\n/g, "\n   ")}`), tail]);
}

/** A Docker schema 1 manifest, signed (prettyjws) or not, over gzip layers (newest first in fsLayers). */
export function schema1(name: string, tag: string, layers: Layer[], signed: boolean): Blob {
  const history = layers
    .map((_, i) => ({ v1Compatibility: JSON.stringify({ id: `${i}`.padStart(64, "a"), ...(i > 0 ? { parent: `${i - 1}`.padStart(64, "a") } : {}), created: "2024-01-02T03:04:05Z", os: "linux", architecture: "amd64", container_config: { Cmd: [`/bin/sh -c #(nop) layer ${i}`] }, config: { Env: ["PATH=/bin"], Cmd: ["/bin/sh"] } }) }))
    .reverse();
  const doc = { schemaVersion: 1, name, tag, architecture: "amd64", fsLayers: layers.map((l) => ({ blobSum: l.digest })).reverse(), history };
  const payload = Buffer.from(JSON.stringify(doc, null, 3));
  if (!signed) return blob("application/vnd.docker.distribution.manifest.v1+json", payload);
  const signedBytes = signSchema1(payload);
  // The digest registries give a signed schema 1 manifest is that of its payload.
  return { mediaType: "application/vnd.docker.distribution.manifest.v1+prettyjws", digest: sha(payload), size: signedBytes.length, bytes: signedBytes };
}
