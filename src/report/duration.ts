// "4.0s", "2m05s", "1h03m": a duration for people.
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const sec = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(sec).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
