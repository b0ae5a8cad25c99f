import { EXPORT_KEYS, type Manifest, type ManifestFile, PREFIX } from "@growit/contract";

/** Where the worker serves an export key, as an absolute URL on the page's own origin. */
export const exportUrl = (key: string): string => new URL(`/api/exports/${key}`, location.origin).href;

/** The mart's Parquet, if the ETL has exported it yet. */
export const martFile = (manifest: Manifest): ManifestFile | undefined =>
  manifest.files.find((file) => file.key === EXPORT_KEYS.dailyEvents);

/** Every silver partition the manifest lists, oldest day first. */
export const silverFiles = (manifest: Manifest): ManifestFile[] =>
  manifest.files.filter((file) => file.key.startsWith(PREFIX.silver)).sort((a, b) => a.key.localeCompare(b.key));
