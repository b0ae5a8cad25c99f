/** Tables of up to this many rows are drawn whole; longer ones only around what is in view. */
export const WHOLE_TABLE_ROWS = 200;

/**
 * Rows drawn beyond the view on either side: a scroll shows drawn rows while the next ones are
 * drawn, and what sits above the rows (the caption and the header) is less than this.
 */
export const OVERSCAN_ROWS = 30;

export interface RowWindowOptions {
  /** Rows in the table. */
  rows: number;
  /** How far its scroll container is scrolled, in px. */
  scrollTop: number;
  /** The container's visible height, in px. */
  viewHeight: number;
  /** A row's height in px; 0 before a row was measured. */
  rowHeight: number;
}

/** The rows [first, end) of a long table to draw. Before a row was measured, the first ones. */
export function rowWindow({ rows, scrollTop, viewHeight, rowHeight }: RowWindowOptions): {
  first: number;
  end: number;
} {
  if (rowHeight <= 0) return { first: 0, end: Math.min(rows, 2 * OVERSCAN_ROWS) };
  const clamp = (value: number, low: number) => Math.min(rows, Math.max(low, value));
  const first = clamp(Math.floor(scrollTop / rowHeight) - OVERSCAN_ROWS, 0);
  const end = clamp(Math.ceil((scrollTop + viewHeight) / rowHeight) + OVERSCAN_ROWS, first);
  return { first, end };
}
