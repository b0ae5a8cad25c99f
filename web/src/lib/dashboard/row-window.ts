/** Tables of up to this many rows are drawn whole; longer ones only around what is in view. */
export const WHOLE_TABLE_ROWS = 200;

/**
 * Rows drawn beyond the view on either side: a scroll shows drawn rows while the next ones are
 * drawn, and what sits above the rows (the caption and the header) is less than this.
 */
export const OVERSCAN_ROWS = 30;

/**
 * The most a windowed table's rows stand for in scroll height. Browsers cap an element's height
 * (Chromium near 33.5M px); a longer result maps its scroll position onto its rows proportionally.
 */
export const MAX_SCROLL_PX = 8_000_000;

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

export interface RowWindow {
  /** The rows [first, end) to draw. */
  first: number;
  end: number;
  /** The heights (px) that stand for the rows not drawn, above and below them. */
  before: number;
  after: number;
}

/** The rows of a long table to draw, and the space around them. Before a row was measured, the first ones. */
export function rowWindow({ rows, scrollTop, viewHeight, rowHeight }: RowWindowOptions): RowWindow {
  if (rowHeight <= 0) return { first: 0, end: Math.min(rows, 2 * OVERSCAN_ROWS), before: 0, after: 0 };
  const height = Math.min(rows * rowHeight, MAX_SCROLL_PX);
  // The row at the top of the view, fractional: exact while every row has its own height, else the
  // scroll position's share of the scrollable distance, taken as the same share of the rows.
  const viewRows = viewHeight / rowHeight;
  const top =
    height === rows * rowHeight
      ? scrollTop / rowHeight
      : Math.min(1, scrollTop / Math.max(1, height - viewHeight)) * Math.max(0, rows - viewRows);
  const clamp = (value: number, low: number) => Math.min(rows, Math.max(low, value));
  const first = clamp(Math.floor(top) - OVERSCAN_ROWS, 0);
  const end = clamp(Math.ceil(top + viewRows) + OVERSCAN_ROWS, first);
  // The drawn rows sit where the view is: row `top` at the scroll position.
  const before = Math.max(0, Math.min(height - (end - first) * rowHeight, scrollTop - (top - first) * rowHeight));
  return { first, end, before, after: Math.max(0, height - before - (end - first) * rowHeight) };
}
