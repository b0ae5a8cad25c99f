import { EXPORT_KEYS, PREFIX } from "@growit/contract";
import { ApiError } from "../api.ts";

/** One file of `exports/manifest.json` (etl/src/exports.ts writes it). */
export interface ManifestFile {
  key: string;
  bytes: number;
  rows: number;
  sha256: string;
  generated_at: string;
}

export interface Manifest {
  generated_at: string;
  files: ManifestFile[];
}

/** Where the worker serves an export key, as an absolute URL on the page's own origin. */
export const exportUrl = (key: string): string => new URL(`/api/exports/${key}`, location.origin).href;

export async function fetchManifest(): Promise<Manifest> {
  let response: Response;
  try {
    response = await fetch(exportUrl("manifest"), { credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "network");
  }
  const payload = (await response.json().catch(() => ({}))) as Partial<Manifest> & { error?: string };
  if (!response.ok) throw new ApiError(response.status, payload.error ?? `HTTP ${response.status}`);
  return { generated_at: payload.generated_at ?? "", files: payload.files ?? [] };
}

/** The mart's Parquet, if the ETL has exported it yet. */
export const martFile = (manifest: Manifest): ManifestFile | undefined =>
  manifest.files.find((file) => file.key === EXPORT_KEYS.dailyEvents);

/** Every silver partition the manifest lists, oldest day first. */
export const silverFiles = (manifest: Manifest): ManifestFile[] =>
  manifest.files.filter((file) => file.key.startsWith(PREFIX.silver)).sort((a, b) => a.key.localeCompare(b.key));
