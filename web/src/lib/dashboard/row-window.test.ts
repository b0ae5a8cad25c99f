import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OVERSCAN_ROWS, rowWindow } from "./row-window.ts";

describe("rowWindow", () => {
  it("draws every row in view, whatever sits above the rows (up to the overscan), and stays within the table", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 10, max: 60 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: OVERSCAN_ROWS }),
        (rows, rowHeight, viewHeight, scrolled, headerRows) => {
          const header = headerRows * rowHeight;
          const scrollTop = Math.floor(scrolled * Math.max(0, header + rows * rowHeight - viewHeight));
          const { first, end } = rowWindow({ rows, scrollTop, viewHeight, rowHeight });
          expect(0 <= first && first <= end && end <= rows).toBe(true);
          // The rows whose box meets the view, rows starting below the header.
          const firstInView = Math.max(0, Math.floor((scrollTop - header) / rowHeight));
          const endInView = Math.min(rows, Math.ceil((scrollTop + viewHeight - header) / rowHeight));
          if (firstInView < endInView) {
            expect(first).toBeLessThanOrEqual(firstInView);
            expect(end).toBeGreaterThanOrEqual(endInView);
          }
          expect(end - first).toBeLessThanOrEqual(Math.ceil(viewHeight / rowHeight) + 2 * OVERSCAN_ROWS + 1);
        },
      ),
      { seed: 20261205 },
    );
  });

  it("draws the first rows before a row was measured", () => {
    expect(rowWindow({ rows: 33_334, scrollTop: 0, viewHeight: 0, rowHeight: 0 })).toEqual({
      first: 0,
      end: 2 * OVERSCAN_ROWS,
    });
    expect(rowWindow({ rows: 5, scrollTop: 0, viewHeight: 0, rowHeight: 0 })).toEqual({ first: 0, end: 5 });
  });
});
