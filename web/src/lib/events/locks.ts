import type { LockManagerLike } from "./env.ts";

/**
 * Runs `fn` holding the exclusive lock `name`, and resolves with its result. Without Web Locks
 * there is no other tab to coordinate with (this tab is its own sender), so `fn` just runs,
 * after a microtask so that calls made in the same task are still batched.
 */
export function withLock<T>(locks: LockManagerLike | undefined, name: string, fn: () => T): Promise<T> {
  if (!locks) return Promise.resolve().then(fn);
  return locks.request(name, {}, () => fn());
}

/**
 * Requests the lock `name` and keeps it until `release()` (or until the tab is gone: the browser
 * then grants it to the next tab waiting). `onGranted` runs once, when this tab gets it.
 * Without Web Locks the lock is granted at once.
 */
export function holdLock(
  locks: LockManagerLike | undefined,
  name: string,
  onGranted: () => void,
  onError: (error: unknown) => void = () => {},
): () => void {
  let released = false;
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const granted = () => {
    if (released) return; // Released while still waiting: hand the lock straight on.
    onGranted();
    return held;
  };
  if (locks) locks.request(name, {}, granted).catch(onError);
  else queueMicrotask(granted);
  return () => {
    released = true;
    release();
  };
}
