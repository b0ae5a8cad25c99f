/**
 * What a version of the service worker keeps, in caches named after its build's version, so that
 * a new build never reads an older build's files and its activation can delete them all.
 */
export function cacheNames(version: string): { app: string; catalog: string } {
  return { app: `growit-app-${version}`, catalog: `growit-catalog-${version}` };
}

/** Whether `cache` belongs to a build other than `version` (or to no build of this app's). */
export function isStale(cache: string, version: string): boolean {
  return !Object.values(cacheNames(version)).includes(cache);
}

/**
 * The build's files and the static ones, to fetch at install. DuckDB's engine (its WebAssembly and
 * worker script, tens of megabytes) stays out: only the analysts' dashboard loads it, and that
 * needs the network for its data anyway.
 */
export function precacheList(build: readonly string[], files: readonly string[]): string[] {
  return [...build.filter((path) => !/\/duckdb-[^/]*$/.test(path)), ...files];
}
