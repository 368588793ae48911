/**
 * A policy's `signedIdentity`: how the `docker-reference` a signature names must relate to
 * the image being read, with containers-image's semantics (`containers-policy.json(5)`):
 * `matchExact`, `matchRepoDigestOrExact` (the default), `matchRepository`, `exactReference`,
 * `exactRepository`, `remapIdentity`.
 * @module
 */
import { UsageError } from "../model/errors.js";
import { formatReference, parseReference, type Reference } from "../model/reference.js";

/** A parsed `signedIdentity`. */
export type SignedIdentity =
  | { type: "matchExact" }
  | { type: "matchRepoDigestOrExact" }
  | { type: "matchRepository" }
  | { type: "exactReference"; dockerReference: string }
  | { type: "exactRepository"; dockerRepository: string }
  | { type: "remapIdentity"; prefix: string; signedPrefix: string };

function parseName(text: string, what: string): Reference {
  try {
    return parseReference(text, { defaultTag: false });
  } catch {
    throw new UsageError(`${what}: ${JSON.stringify(text)} is not a docker reference`);
  }
}

/** Checks a `signedIdentity` object of a policy. @throws UsageError */
export function parseSignedIdentity(value: unknown, what: string): SignedIdentity {
  if (value === undefined) return { type: "matchRepoDigestOrExact" };
  const v = value as Record<string, unknown>;
  const str = (k: string): string => {
    if (typeof v[k] !== "string") throw new UsageError(`${what}: signedIdentity ${String(v.type)} needs ${k}`);
    return v[k];
  };
  switch (v?.type) {
    case "matchExact":
    case "matchRepoDigestOrExact":
    case "matchRepository":
      return { type: v.type };
    case "exactReference": {
      const ref = parseName(str("dockerReference"), what);
      if (!ref.tag && !ref.digest) throw new UsageError(`${what}: exactReference wants a tag or digest`);
      return { type: "exactReference", dockerReference: str("dockerReference") };
    }
    case "exactRepository":
      parseName(str("dockerRepository"), what);
      return { type: "exactRepository", dockerRepository: str("dockerRepository") };
    case "remapIdentity":
      return { type: "remapIdentity", prefix: str("prefix"), signedPrefix: str("signedPrefix") };
    default:
      throw new UsageError(`${what}: unknown signedIdentity type ${JSON.stringify(v?.type)}`);
  }
}

const repoOf = (r: Reference): string => `${r.registry}/${r.repository}`;
const exact = (r: Reference): string => formatReference(r);

function matchRepoDigestOrExact(image: Reference, signed: Reference): boolean {
  if (image.digest) return repoOf(image) === repoOf(signed);
  return image.tag !== undefined && exact(image) === exact(signed);
}

/** `remapIdentity`: the image's name with `prefix` replaced by `signedPrefix`, when it starts with it on a name boundary. */
function remap(image: Reference, prefix: string, signedPrefix: string): Reference {
  const full = formatReference(image);
  if (!full.startsWith(prefix)) return image;
  const next = full.charAt(prefix.length);
  if (next !== "" && !"/:@".includes(next) && !prefix.endsWith("/")) return image;
  return parseName(signedPrefix + full.slice(prefix.length), "remapIdentity");
}

/**
 * Whether a signature naming `signedReference` is acceptable for `image` (the reference
 * being read, with its tag or digest) under `identity`.
 */
export function identityMatches(identity: SignedIdentity, image: Reference, signedReference: string): boolean {
  let signed: Reference;
  try {
    signed = parseReference(signedReference, { defaultTag: false });
  } catch {
    return false;
  }
  switch (identity.type) {
    case "matchExact":
      return (image.tag !== undefined || image.digest !== undefined) && exact(image) === exact(signed);
    case "matchRepoDigestOrExact":
      return matchRepoDigestOrExact(image, signed);
    case "matchRepository":
      return repoOf(image) === repoOf(signed);
    case "exactReference":
      return exact(parseName(identity.dockerReference, "exactReference")) === exact(signed);
    case "exactRepository":
      return repoOf(parseName(identity.dockerRepository, "exactRepository")) === repoOf(signed);
    case "remapIdentity":
      return matchRepoDigestOrExact(remap(image, identity.prefix, identity.signedPrefix), signed);
  }
}
