/**
 * Docker Hub's names, in one table: the registry's canonical name, every host name that
 * means the same registry, the host that serves its API, its key in docker's
 * `config.json`, and the web API's URL. Everything that folds or expands a Docker Hub name
 * reads it from here.
 * @module
 */

/** Docker Hub's canonical registry name. */
export const DOCKER_HUB_REGISTRY = "docker.io";

/** Docker Hub's registry API host. */
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";

/** The key docker's `config.json` (and credential helpers) use for Docker Hub. */
export const DOCKER_HUB_CONFIG_KEY = "https://index.docker.io/v1/";

/** Docker Hub's web API (repositories, tags, search; not the registry API). */
export const DOCKER_HUB_WEB_URL = "https://hub.docker.com";

/** Every host name (lower case) that names Docker Hub's registry. */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([DOCKER_HUB_REGISTRY, "index.docker.io", DOCKER_HUB_API_HOST, "registry.hub.docker.com"]);

/** A registry host lower-cased, with Docker Hub's aliases folded to {@link DOCKER_HUB_REGISTRY}. */
export function canonicalRegistry(host: string): string {
  const h = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(h) ? DOCKER_HUB_REGISTRY : h;
}
