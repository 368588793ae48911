/**
 * The tests' own minimal pusher (independent of the library under test): monolithic blob
 * uploads and manifest PUTs over plain fetch-style requests, with the rig's Basic or bearer
 * credentials.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";
import type { Blob, Image } from "./build.js";
import type { RigInfo, RigRegistry } from "./rig.js";

const agents = new Map<string, Agent>();

function agentFor(reg: RigRegistry): Agent {
  let a = agents.get(reg.host);
  if (!a) {
    a = new Agent({ connect: reg.caFile ? { ca: readFileSync(reg.caFile, "utf8") } : {} });
    agents.set(reg.host, a);
  }
  return a;
}

async function authHeader(rig: RigInfo, reg: RigRegistry, repo: string): Promise<Record<string, string>> {
  if (reg.name === "basic") return { authorization: `Basic ${Buffer.from(`${reg.username}:${reg.password}`).toString("base64")}` };
  if (reg.name !== "token") return {};
  const url = `${rig.issuerUrl}/token?service=ocidist-test&scope=${encodeURIComponent(`repository:${repo}:pull,push,delete`)}`;
  const res = await request(url, { headers: { authorization: `Basic ${Buffer.from(`${reg.username}:${reg.password}`).toString("base64")}` } });
  const doc = (await res.body.json()) as { token: string };
  return { authorization: `Bearer ${doc.token}` };
}

async function send(reg: RigRegistry, method: "GET" | "POST" | "PUT" | "HEAD" | "DELETE", url: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const res = await request(url.startsWith("http") ? url : `${reg.url}${url}`, { method, headers, body, dispatcher: agentFor(reg) });
  const text = method === "HEAD" ? "" : await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

/** Uploads blobs (skipping ones present) and PUTs manifests in order, then tags the last one. */
export async function pushContent(rig: RigInfo, reg: RigRegistry, repo: string, blobs: Blob[], manifests: Blob[], tags: string[]): Promise<void> {
  const auth = await authHeader(rig, reg, repo);
  for (const b of blobs) {
    const head = await send(reg, "HEAD", `/v2/${repo}/blobs/${b.digest}`, auth);
    if (head.status === 200) continue;
    const start = await send(reg, "POST", `/v2/${repo}/blobs/uploads/`, auth);
    if (start.status !== 202) throw new Error(`POST upload ${repo}: ${start.status} ${start.text}`);
    const loc = new URL(String(start.headers.location), reg.url);
    loc.searchParams.set("digest", b.digest);
    const put = await send(reg, "PUT", loc.toString(), { ...auth, "content-type": "application/octet-stream" }, b.bytes);
    if (put.status !== 201) throw new Error(`PUT blob ${b.digest}: ${put.status} ${put.text}`);
  }
  for (const m of manifests) {
    const put = await send(reg, "PUT", `/v2/${repo}/manifests/${m.digest}`, { ...auth, "content-type": m.mediaType }, m.bytes);
    if (put.status !== 201) throw new Error(`PUT manifest ${m.digest} (${m.mediaType}): ${put.status} ${put.text}`);
  }
  const top = manifests[manifests.length - 1]!;
  for (const t of tags) {
    const put = await send(reg, "PUT", `/v2/${repo}/manifests/${t}`, { ...auth, "content-type": top.mediaType }, top.bytes);
    if (put.status !== 201) throw new Error(`PUT manifest ${repo}:${t}: ${put.status} ${put.text}`);
  }
}

/** Pushes one image (blobs, then manifest) under tags. */
export function pushImage(rig: RigInfo, reg: RigRegistry, repo: string, img: Image, tags: string[]): Promise<void> {
  return pushContent(rig, reg, repo, [img.config, ...img.layers], [img.manifest], tags);
}

/** Pushes images, then an index over them, under tags. */
export async function pushIndex(rig: RigInfo, reg: RigRegistry, repo: string, images: Image[], idx: Blob, tags: string[]): Promise<void> {
  await pushContent(rig, reg, repo, images.flatMap((i) => [i.config, ...i.layers]), [...images.map((i) => i.manifest), idx], tags);
}
