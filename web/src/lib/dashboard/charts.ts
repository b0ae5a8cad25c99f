// Observable Plot specifications of the dashboard's charts; rows are query results, keyed by column.
import { dayStart } from "@growit/contract";
import * as Plot from "@observablehq/plot";
import type { Cell } from "./result.ts";

type Rows = Record<string, Cell>[];
interface Axes {
  x: string;
  y: string;
}

/** One vertical bar per `x` value (a `YYYY-MM-DD` day, a position), in the rows' order. */
export const verticalBars = (rows: Rows, x: string, y: string, labels: Axes): Plot.PlotOptions => ({
  marginBottom: 48,
  x: { type: "band", label: labels.x, tickRotate: -30 },
  y: { grid: true, label: labels.y },
  marks: [Plot.barY(rows, { x, y, fill: "#4b3fd1", tip: true }), Plot.ruleY([0])],
});

/** One horizontal bar per `y` (a user, a category, a query), longest first. */
export const horizontalBars = (rows: Rows, y: string, x: string, labels: Axes): Plot.PlotOptions => ({
  marginLeft: 110,
  height: Math.max(120, rows.length * 26 + 50),
  x: { grid: true, label: labels.x },
  y: { label: labels.y },
  marks: [Plot.barX(rows, { y, x, fill: "#4b3fd1", sort: { y: "-x" }, tip: true }), Plot.ruleX([0])],
});

/** One line per `series` over the days in `day`, with a legend. */
export const linesPerDay = (rows: Rows, series: string, y: string, labels: Axes): Plot.PlotOptions => ({
  // Ticks on day boundaries (weeks over long ranges): the data is daily, hours would mislead.
  x: {
    type: "utc",
    label: labels.x,
    ticks: new Set(rows.map((row) => row.day)).size <= 10 ? "day" : "week",
    tickFormat: "%m-%d",
  },
  y: { grid: true, label: labels.y },
  color: { legend: true },
  marks: [
    Plot.lineY(rows, {
      x: (row: Record<string, Cell>) => new Date(dayStart(String(row.day))),
      y,
      stroke: series,
      marker: "dot",
      tip: true,
    }),
    Plot.ruleY([0]),
  ],
});

/** The retention triangle: a row per cohort, a cell per week since, shaded and labelled by `share`. */
export const cohortGrid = (rows: Rows, labels: Axes): Plot.PlotOptions => ({
  marginLeft: 90,
  padding: 0.05,
  x: { type: "band", label: labels.x, axis: "top" },
  y: { type: "band", label: labels.y },
  color: { type: "linear", domain: [0, 1], scheme: "purples" },
  marks: [
    Plot.cell(rows, { x: "week_offset", y: "cohort", fill: "share", tip: true }),
    Plot.text(rows, {
      x: "week_offset",
      y: "cohort",
      text: (row: Record<string, Cell>) => `${Math.round(Number(row.share) * 100)}%`,
      fill: (row: Record<string, Cell>) => (Number(row.share) > 0.5 ? "white" : "black"),
    }),
  ],
});
