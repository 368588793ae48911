/**
 * Which credentials may go to a Docker Hub API base URL. Credentials stored for Docker Hub
 * (docker's `config.json` entry for `docker.io`) go only to Docker Hub's own API, over
 * https; a mirror or any other base URL (`--hub-url`, `OCIDIST_HUB_URL`) gets credentials only
 * when the user passes them for that call. Credentials never travel over plain http, except
 * to this machine or with `insecure`.
 * @module
 */
import { UsageError } from "../model/errors.js";
import { isLoopbackRegistry } from "../model/reference.js";
import { DOCKER_HUB_WEB_URL } from "../model/registry-names.js";

/** Docker Hub's web API. */
export const DEFAULT_HUB_URL = DOCKER_HUB_WEB_URL;

/** True when `baseUrl` is Docker Hub's own API (https, the default host and port). */
function isDockerHubApi(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).origin === new URL(DEFAULT_HUB_URL).origin;
  } catch {
    return false;
  }
}

/** Whether credentials stored for Docker Hub may be sent to `baseUrl`: only to Docker Hub's own API. */
export function storedHubCredentialsApply(baseUrl: string): boolean {
  return isDockerHubApi(baseUrl);
}

/**
 * Refuses to send credentials to `baseUrl` over plain http, unless its host is this machine
 * or `insecure` is set. @throws UsageError
 */
export function checkCredentialTransport(baseUrl: string, insecure = false): void {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new UsageError(`invalid Docker Hub API URL ${JSON.stringify(baseUrl)}`);
  }
  if (u.protocol === "https:" || insecure || isLoopbackRegistry(u.host)) return;
  throw new UsageError(`refusing to send credentials to ${u.origin} over plain http (use https, or --insecure)`);
}
