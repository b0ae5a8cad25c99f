/** The URL with its password replaced by `***`, safe to print. */
export function maskDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "<unparseable DATABASE_URL>";
  }
}
