/** A commit SHA as its first 8 characters; other versions as their first 12. */
export function shortVersion(version?: string): string {
  if (!version) return '';
  return /^[0-9a-f]{40}$/.test(version) ? version.slice(0, 8) : version.slice(0, 12);
}

export function when(iso?: string): string {
  return iso ? new Date(iso).toLocaleString() : '';
}
