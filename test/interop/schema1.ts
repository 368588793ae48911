/**
 * Schema 1 behaviours of other registries, as proxy rules over the rig's docker-registry
 * (which keeps signed schema 1 bytes as pushed and digests their JWS payload):
 * - {@link resignOnGet}: every GET answers freshly signed bytes (a new key and time), the
 *   payload unchanged, as registries that sign schema 1 on the way out do;
 * - {@link wholeBodyDigests}: a registry that digests the whole signed body, refuses a PUT
 *   under the payload digest and knows the manifest only under the whole-body digest.
 */
import { createHash } from "node:crypto";
import { schema1Payload } from "../../src/model/manifest-digest.js";
import { signSchema1 } from "../rig/build.js";
import type { ProxyRequest, ProxyResponse, RewritingProxy } from "./proxy.js";

const SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/?]+)/;

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const isSigned = (r: { headers: Record<string, string | string[]> }) => String(r.headers["content-type"] ?? "").startsWith(SIGNED);

/** Makes the proxy re-sign every signed schema 1 manifest it serves. */
export function resignOnGet(proxy: RewritingProxy): void {
  let n = 0;
  proxy.set((req, res) => {
    if (req.method !== "GET" || !MANIFEST.test(req.url) || !isSigned(res)) return res;
    const payload = schema1Payload(res.body);
    if (!payload) return res;
    return { ...res, body: signSchema1(payload, `2025-01-01T00:00:${String(n++ % 60).padStart(2, "0")}Z`) };
  });
}

/** Makes the proxy a registry that digests signed schema 1 over the whole body. */
export function wholeBodyDigests(proxy: RewritingProxy): void {
  const payloadOf = new Map<string, string>();
  const wholeOf = new Map<string, string>();
  const refused = (status: number, code: string): ProxyResponse => ({ status, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify({ errors: [{ code, message: "emulated whole-body registry" }] })) });
  proxy.set((req: ProxyRequest, res: ProxyResponse) => {
    if (!MANIFEST.test(req.url)) return res;
    if (req.method === "PUT" && String(req.headers["content-type"]).startsWith(SIGNED) && res.status < 300) {
      return { ...res, headers: { ...res.headers, "docker-content-digest": sha(req.body) } };
    }
    if (req.method === "GET" && isSigned(res)) return { ...res, headers: { ...res.headers, "docker-content-digest": sha(res.body) } };
    const answered = String(res.headers["docker-content-digest"] ?? "");
    if (req.method === "HEAD" && wholeOf.has(answered)) return { ...res, headers: { ...res.headers, "docker-content-digest": wholeOf.get(answered)! } };
    return res;
  });
  proxy.intercept((req) => {
    const m = MANIFEST.exec(req.url);
    if (!m) return;
    const ref = decodeURIComponent(m[2]!);
    if (req.method === "PUT" && String(req.headers["content-type"]).startsWith(SIGNED)) {
      const whole = sha(req.body);
      const payload = sha(schema1Payload(req.body) ?? req.body);
      payloadOf.set(whole, payload);
      wholeOf.set(payload, whole);
      if (ref.startsWith("sha256:") && ref !== whole) return refused(400, "DIGEST_INVALID");
      if (ref === whole) req.url = req.url.replace(m[2]!, payload);
      return;
    }
    if (req.method === "GET" || req.method === "HEAD") {
      if (wholeOf.has(ref)) return refused(404, "MANIFEST_UNKNOWN");
      const payload = payloadOf.get(ref);
      if (payload) req.url = req.url.replace(m[2]!, payload);
    }
  });
}
