/** containers-policy.json pieces: docker scopes most specific first, scope lookup, signedIdentity semantics. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseReference } from "../../src/model/reference.js";
import { dockerScopes, requirementsFor, type Policy } from "../../src/trust/policy.js";
import { identityMatches, parseSignedIdentity } from "../../src/trust/signed-identity.js";
import { UsageError } from "../../src/model/errors.js";

const D = `sha256:${"b".repeat(64)}`;

test("docker scopes go from the reference to the host and wildcard domains", () => {
  assert.deepEqual(dockerScopes(parseReference("registry.example.com:5000/ns/team/app:1")), [
    "registry.example.com:5000/ns/team/app:1",
    "registry.example.com:5000/ns/team/app",
    "registry.example.com:5000/ns/team",
    "registry.example.com:5000/ns",
    "registry.example.com:5000",
    "*.example.com",
    "*.com",
  ]);
  assert.equal(dockerScopes(parseReference("alpine"))[1], "docker.io/library/alpine");
});

test("requirementsFor: most specific scope, then the transport's \"\", then default", () => {
  const policy: Policy = {
    default: [{ type: "reject" }],
    transports: { docker: { "docker.io/library": [{ type: "insecureAcceptAnything" }], "*.example.com": [{ type: "reject" }], "": [{ type: "insecureAcceptAnything" }] } },
  };
  assert.equal(requirementsFor(policy, "docker", parseReference("alpine:3")).scope, "docker:docker.io/library");
  assert.equal(requirementsFor(policy, "docker", parseReference("r.example.com/x:1")).scope, "docker:*.example.com");
  assert.equal(requirementsFor(policy, "docker", parseReference("ghcr.io/x:1")).scope, 'docker:""');
  assert.equal(requirementsFor(policy, "oci", undefined).scope, "default");
});

test("signedIdentity semantics", () => {
  const tagged = parseReference("r.example/app:1");
  const digested = parseReference(`r.example/app@${D}`);
  const m = (type: string, extra: Record<string, string> = {}) => parseSignedIdentity({ type, ...extra }, "test");
  assert.equal(identityMatches(m("matchExact"), tagged, "r.example/app:1"), true);
  assert.equal(identityMatches(m("matchExact"), tagged, "r.example/app:2"), false);
  assert.equal(identityMatches(m("matchRepoDigestOrExact"), digested, "r.example/app"), true);
  assert.equal(identityMatches(m("matchRepoDigestOrExact"), tagged, "r.example/app"), false);
  assert.equal(identityMatches(m("matchRepository"), tagged, "r.example/app:9"), true);
  assert.equal(identityMatches(m("matchRepository"), tagged, "r.example/other"), false);
  assert.equal(identityMatches(m("exactRepository", { dockerRepository: "up.example/app" }), tagged, "up.example/app"), true);
  assert.equal(identityMatches(m("exactReference", { dockerReference: "up.example/app:1" }), tagged, "up.example/app:1"), true);
  assert.equal(identityMatches(m("remapIdentity", { prefix: "r.example", signedPrefix: "up.example/mirror" }), digested, "up.example/mirror/app"), true);
  assert.equal(identityMatches(m("remapIdentity", { prefix: "r.ex", signedPrefix: "up.example" }), digested, "up.exampleample/app"), false, "a prefix matches on name boundaries only");
  assert.equal(identityMatches(m("matchRepository"), tagged, "not a reference!"), false);
  assert.equal(identityMatches(parseSignedIdentity(undefined, "t"), digested, "r.example/app"), true, "the default is matchRepoDigestOrExact");
  assert.throws(() => parseSignedIdentity({ type: "exactReference", dockerReference: "up.example/app" }, "t"), UsageError);
  assert.throws(() => parseSignedIdentity({ type: "bogus" }, "t"), UsageError);
});
