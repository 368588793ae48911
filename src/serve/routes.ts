/**
 * The handlers of each endpoint, by method.
 * @module
 */
import { deleteBlob, getBlob } from "./blobs.js";
import type { Ctx } from "./context.js";
import { ServeError } from "./errors.js";
import { listCatalog, listTags } from "./listing.js";
import { deleteManifest, getManifest, putManifest } from "./manifests.js";
import { listReferrers } from "./referrers.js";
import { cancelUpload, patchUpload, putUpload, startUpload, uploadStatus } from "./uploads.js";

/** Handlers by HTTP method (HEAD is GET without the body). */
export type Route = Record<string, ((ctx: Ctx, name: string, arg: string) => Promise<void>) | undefined>;

/** The session id of an upload path: empty only for the POST that starts one. */
function session(fn: (ctx: Ctx, name: string, id: string) => Promise<void>) {
  return (ctx: Ctx, name: string, id: string) => {
    if (!id) throw new ServeError(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
    return fn(ctx, name, id);
  };
}

/** `/v2/<name>/blobs/uploads/<id>`. */
export const uploads: Route = {
  POST: (ctx, name, id) => {
    if (id) throw new ServeError(405, "UNSUPPORTED", "POST starts an upload at /blobs/uploads/");
    return startUpload(ctx, name);
  },
  PATCH: session(patchUpload),
  PUT: session(putUpload),
  GET: session(uploadStatus),
  DELETE: session(cancelUpload),
};

/** `/v2/<name>/blobs/<digest>`. */
export const blobs: Route = { GET: getBlob, DELETE: deleteBlob };

/** `/v2/<name>/manifests/<reference>`. */
export const manifests: Route = { GET: getManifest, PUT: putManifest, DELETE: deleteManifest };

/** `/v2/<name>/tags/list`. */
export const tags: Route = { GET: (ctx, name) => listTags(ctx, name) };

/** `/v2/<name>/referrers/<digest>`. */
export const referrers: Route = { GET: listReferrers };

/** `/v2/_catalog`. */
export const catalog: Route = { GET: (ctx) => listCatalog(ctx) };
