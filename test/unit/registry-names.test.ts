/**
 * Docker Hub's one alias table: every spelling folds to docker.io wherever a registry name
 * is read (references, CLI hosts, docker's config keys), and docker.io's API host is
 * registry-1.docker.io.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRegistryHost } from "../../src/cli/host.js";
import { DOCKER_HUB_ALIASES, canonicalRegistry } from "../../src/model/registry-names.js";
import { isValidTag, parseReference, registryHost, tagError } from "../../src/model/reference.js";

test("every alias folds to docker.io in references, CLI hosts and canonicalRegistry", () => {
  assert.ok(DOCKER_HUB_ALIASES.size >= 4);
  for (const alias of DOCKER_HUB_ALIASES) {
    assert.equal(canonicalRegistry(alias.toUpperCase()), "docker.io");
    assert.equal(parseReference(`${alias}/user/repo:v1`).registry, "docker.io", alias);
    assert.equal(parseRegistryHost(`https://${alias}/v1/`), "docker.io", alias);
    assert.equal(registryHost(alias), "registry-1.docker.io");
  }
  assert.equal(canonicalRegistry("GHCR.io"), "ghcr.io");
  assert.equal(registryHost("ghcr.io"), "ghcr.io");
});

test("one tag grammar: what a reference accepts as a tag is what isValidTag accepts", () => {
  for (const tag of ["v1", "_x", "A.b-c_9", "x".repeat(128)]) assert.ok(isValidTag(tag), tag);
  for (const tag of ["", ".v1", "-v1", "a/b", "a:b", "x".repeat(129), "é"]) {
    assert.equal(isValidTag(tag), false, tag);
    assert.throws(() => parseReference(`reg.example/r:${tag}`));
  }
  assert.match(tagError("x".repeat(129)), /longer than 128/);
});
