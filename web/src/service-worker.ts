/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// The learner app offline: this build's shell and files are precached at install, so every route
// opens (and reloads) without a connection; catalog reads fall back to their last saved answer.
// A new build installs beside the old one and waits until the app lets it take over
// ($lib/offline/updates.svelte.ts).

import { isWorkerMessage } from "$lib/offline/messages.ts";
import { networkFirst } from "$lib/offline/network-first.ts";
import { cacheNames, isStale, precacheList } from "$lib/offline/precache.ts";
import { routeOf } from "$lib/offline/route.ts";
import { markSaved } from "$lib/offline/saved-at.ts";
import { base, build, files, version } from "$service-worker";

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHES = cacheNames(version);
/** Every route of the SPA is this one page (the worker's SPA fallback serves it for all). */
const SHELL = `${base}/`;
const ASSETS = precacheList(build, files);
const PRECACHED: ReadonlySet<string> = new Set(ASSETS);
/** Beyond this, a weak connection counts as none when a saved answer is at hand. */
const NETWORK_TIMEOUT_MS = 4_000;
/** Wrapped: the browser's fetch called as a method of another object throws "Illegal invocation". */
const network = (request: Request) => fetch(request);

async function keepCatalog(request: Request, response: Response): Promise<void> {
  const cache = await caches.open(CACHES.catalog);
  await cache.put(request, markSaved(response, new Date()));
}

/** The topics, so the home page works offline after the very first visit, which this worker did not yet serve. */
async function saveCategories(): Promise<void> {
  const request = new Request(`${base}/api/categories`);
  const response = await fetch(request);
  if (response.ok) await keepCatalog(request, response);
}

sw.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHES.app);
      await cache.addAll([SHELL, ...ASSETS]);
      await saveCategories().catch(() => undefined);
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (isStale(key, version)) await caches.delete(key);
      // The first install takes the page that registered it, so that it works offline at once.
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener("message", (event) => {
  const message: unknown = event.data;
  if (!isWorkerMessage(message)) return;
  if (message.type === "version") event.ports[0]?.postMessage(version);
  else event.waitUntil(sw.skipWaiting());
});

sw.addEventListener("fetch", (event) => {
  const { request } = event;
  const waitUntil = (promise: Promise<unknown>) => event.waitUntil(promise);
  switch (routeOf(request, sw.location.origin, PRECACHED)) {
    case "asset":
      event.respondWith(caches.match(request, { cacheName: CACHES.app }).then((hit) => hit ?? fetch(request)));
      return;
    case "page":
      // Network first, so an online load always runs the newest build (also after `npm start`
      // rebuilt it). The network's page is not kept: the shell must stay the one of this build's files.
      event.respondWith(
        networkFirst(request, {
          fetch: network,
          kept: () => caches.match(SHELL, { cacheName: CACHES.app }),
          timeoutMs: NETWORK_TIMEOUT_MS,
          waitUntil,
        }),
      );
      return;
    case "catalog":
      event.respondWith(
        networkFirst(request, {
          fetch: network,
          kept: () => caches.match(request, { cacheName: CACHES.catalog }),
          keep: (response) => keepCatalog(request, response),
          timeoutMs: NETWORK_TIMEOUT_MS,
          waitUntil,
        }),
      );
      return;
    case "account":
      event.waitUntil(caches.delete(CACHES.catalog));
      return;
    case "network":
      return;
  }
});
