import { dev, version } from "$app/environment";
import { askVersion, skipWaiting } from "./messages.ts";

/**
 * Registers the service worker and tells the page when a build other than its own is waiting or
 * has taken over: the app then offers a reload. A waiting worker of the page's own build (the
 * page came from the network before its worker had installed, as after a rebuild) takes over
 * at once, without asking: there is nothing new to reload into.
 */
export const update = $state({ available: false });

/** How often an open tab asks the server for a new build, besides on focus and on reconnecting. */
const CHECK_EVERY_MS = 60 * 60_000;

let registration: ServiceWorkerRegistration | undefined;
/** Set once the learner accepted the reload: the next change of worker reloads the page. */
let reloading = false;

export async function registerServiceWorker(): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  const container = navigator.serviceWorker;
  container.addEventListener("controllerchange", () => void onControllerChange());
  // During `vite dev` SvelteKit serves the worker unbundled, as a module.
  const registered = await container
    .register("/service-worker.js", { type: dev ? "module" : "classic" })
    .catch((error: unknown) => {
      // Some private modes refuse service workers: the app then works online only.
      console.warn("offline: the service worker could not be registered:", error);
    });
  if (!registered) return;
  registration = registered;
  registered.addEventListener("updatefound", () => watch(registered.installing));
  watch(registered.installing);
  if (registered.waiting) void consider(registered.waiting);

  // register() does not look for a new build when this one is installed already: the page does, on
  // every load (a reload after a rebuild then hands over to the new build at once).
  // Once the check settles the new worker is looked at again: its updatefound may have come
  // before this page listened, and the browser may fill in installing and waiting late.
  const check = () =>
    void registered
      .update()
      .catch(() => undefined)
      .then(() => {
        watch(registered.installing);
        if (registered.waiting) void consider(registered.waiting);
      });
  check();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") check();
  });
  window.addEventListener("online", check);
  setInterval(check, CHECK_EVERY_MS);
}

/** Runs the build that is waiting (or already in charge): the learner's answer to the offer. */
export function applyUpdate(): void {
  reloading = true;
  const waiting = registration?.waiting;
  if (waiting) skipWaiting(waiting);
  else location.reload();
}

// Not `registration.waiting === worker`: the browser may update that attribute after it fires the
// worker's statechange. A worker still listed as installing may have installed already (its
// statechange fired before the page looked), so its state is read at once too.
function watch(worker: ServiceWorker | null): void {
  if (!worker) return;
  if (worker.state === "installed") {
    void consider(worker);
    return;
  }
  worker.addEventListener("statechange", () => {
    if (worker.state === "installed") void consider(worker);
  });
}

/** A worker newly installed: the page's own build takes over at once, another build is offered. */
async function consider(installed: ServiceWorker): Promise<void> {
  if ((await askVersion(installed)) === version) skipWaiting(installed);
  else update.available = true;
}

async function onControllerChange(): Promise<void> {
  if (reloading) {
    location.reload();
    return;
  }
  // Another tab let a newer build take over this one too.
  const controller = navigator.serviceWorker.controller;
  if (controller && (await askVersion(controller)) !== version) update.available = true;
}
