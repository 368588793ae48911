/**
 * Shapes of Docker Hub's web API (docs.docker.com/reference/api/hub), the fields ocidist reads.
 * @module
 */

/** One page of a Hub listing. */
export interface HubPage<T> {
  count?: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}

/** A repository (`/v2/namespaces/{ns}/repositories[/{repo}]`). */
export interface HubRepository {
  name: string;
  namespace: string;
  description?: string | null;
  star_count?: number;
  pull_count?: number;
  last_updated?: string | null;
  is_private?: boolean;
  repository_type?: string | null;
  full_description?: string | null;
}

/** One image of a tag: a platform's manifest. */
export interface HubTagImage {
  architecture?: string;
  variant?: string | null;
  os?: string;
  os_version?: string | null;
  digest?: string | null;
  size?: number;
  status?: string;
  last_pushed?: string | null;
}

/** A tag (`…/tags`). */
export interface HubTag {
  name: string;
  digest?: string | null;
  last_updated?: string | null;
  tag_last_pushed?: string | null;
  full_size?: number | null;
  images?: HubTagImage[];
}

/** A search result (`/v1/search`, the endpoint the docker CLI uses). */
export interface HubSearchResult {
  name: string;
  description?: string | null;
  star_count?: number;
  is_official?: boolean;
  is_automated?: boolean;
}
