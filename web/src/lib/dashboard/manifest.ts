import { type Manifest, type ManifestFile, PREFIX } from "@growit/contract";

/** Where the worker serves an export key, as an absolute URL on the page's own origin. */
export const exportUrl = (key: string): string => new URL(`/api/exports/${key}`, location.origin).href;

/** Every silver partition the manifest lists, oldest day first. */
export const silverFiles = (manifest: Manifest): ManifestFile[] =>
  manifest.files.filter((file) => file.key.startsWith(PREFIX.silver)).sort((a, b) => a.key.localeCompare(b.key));
