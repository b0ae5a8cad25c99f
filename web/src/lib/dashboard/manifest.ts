import { type ManifestFile, PREFIX } from "@growit/contract";
import { ApiError, api } from "../api.ts";

/** Where the worker serves an export key, as an absolute URL on the page's own origin. */
export const exportUrl = (key: string): string => new URL(`/api/exports/${key}`, location.origin).href;

/**
 * The files the exports' manifest lists. Before the ETL's first export there is no manifest (the
 * worker answers 404): nothing is exported yet, and every view opens over no rows.
 */
export async function exportedFiles(): Promise<ManifestFile[]> {
  try {
    return (await api.manifest()).data.files;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return [];
    throw error;
  }
}

/** Every silver file among `files` (a partition may hold several), oldest day first. */
export const silverFiles = (files: readonly ManifestFile[]): ManifestFile[] =>
  files.filter((file) => file.key.startsWith(PREFIX.silver)).sort((a, b) => a.key.localeCompare(b.key));
