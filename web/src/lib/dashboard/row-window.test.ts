import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SCROLL_PX, OVERSCAN_ROWS, rowWindow } from "./row-window.ts";

describe("rowWindow", () => {
  it("draws every row in view, whatever sits above the rows (up to the overscan), and stays within the table", () => {
    fc.assert(
      fc.property(
        // Up to results whose rows stand for more scroll height than a browser gives an element.
        fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 100_000, max: 50_000_000 })),
        fc.integer({ min: 10, max: 60 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: OVERSCAN_ROWS }),
        (rows, rowHeight, viewHeight, scrolled, headerRows) => {
          const header = headerRows * rowHeight;
          const height = Math.min(rows * rowHeight, MAX_SCROLL_PX);
          const scrollTop = Math.floor(scrolled * Math.max(0, header + height - viewHeight));
          const { first, end, before, after } = rowWindow({ rows, scrollTop, viewHeight, rowHeight });
          expect(0 <= first && first <= end && end <= rows).toBe(true);
          expect(before).toBeGreaterThanOrEqual(0);
          expect(after).toBeGreaterThanOrEqual(0);
          // The rows and the space for those not drawn fill the height the rows stand for, no more.
          expect(before + (end - first) * rowHeight + after).toBeCloseTo(height, 3);
          // The part of the view below the header lies on drawn rows.
          const viewTop = Math.max(0, scrollTop - header);
          const viewBottom = Math.min(height, scrollTop + viewHeight - header);
          if (viewTop < viewBottom) {
            expect(before).toBeLessThanOrEqual(viewTop + 1e-6);
            expect(before + (end - first) * rowHeight).toBeGreaterThanOrEqual(viewBottom - 1e-6);
          }
          expect(end - first).toBeLessThanOrEqual(Math.ceil(viewHeight / rowHeight) + 2 * OVERSCAN_ROWS + 1);
        },
      ),
      { seed: 20261205 },
    );
  });

  it("reaches the first and the last row of a result longer than the scroll height", () => {
    const rows = 10_000_000;
    const rowHeight = 30;
    const viewHeight = 600;
    expect(rowWindow({ rows, scrollTop: 0, viewHeight, rowHeight })).toMatchObject({ first: 0, before: 0 });
    const bottom = rowWindow({ rows, scrollTop: MAX_SCROLL_PX - viewHeight, viewHeight, rowHeight });
    expect(bottom).toMatchObject({ end: rows, after: 0 });
  });

  it("draws the first rows before a row was measured", () => {
    expect(rowWindow({ rows: 33_334, scrollTop: 0, viewHeight: 0, rowHeight: 0 })).toEqual({
      first: 0,
      end: 2 * OVERSCAN_ROWS,
      before: 0,
      after: 0,
    });
    expect(rowWindow({ rows: 5, scrollTop: 0, viewHeight: 0, rowHeight: 0 })).toEqual({
      first: 0,
      end: 5,
      before: 0,
      after: 0,
    });
  });
});
