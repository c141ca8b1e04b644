// Plain-text tables for people: aligned columns, numbers right-aligned. Pure.

/** A column: header, and whether to right-align (numbers). */
export interface Column {
  readonly header: string;
  readonly right?: boolean;
}

/** Renders rows of cells under the columns as an aligned table. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (columns[i]?.right === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
