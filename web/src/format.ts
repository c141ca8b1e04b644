// Display text for the dashboard: times, scores, short addresses. Pure.

/** An address or id cut to its first and last characters, e.g. "4ood…Zizq". */
export function shortId(text: string, keep = 4): string {
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`;
}

/** A date-time as local text, e.g. "Dec 1, 14:28:18". */
export function when(at: string | number): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime())
    ? String(at)
    : date.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A score in [0, 1] as a percentage with one decimal. */
export function percent(score: number): string {
  return `${(score * 100).toFixed(1)}%`;
}
