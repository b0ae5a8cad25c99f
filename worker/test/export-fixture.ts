// The silver files the export tests read: the same rows for the Node-side global setup, which
// writes them as the ETL does (DuckDB, zstd, sorted), and for the tests in workerd, which know
// from them what each learner's export must hold.
import type { SilverColumn } from "@growit/contract";

/** The learners of the fixture (signed up by the tests; no other test uses these names). */
export const EXPORT_LEARNERS = { a: "export-fixture-a", b: "export-fixture-b" } as const;

/**
 * Rows per row group of the fixture's files: the ETL's SILVER_ROW_GROUP_ROWS is 100,000, which a
 * test file would take long to fill. DuckDB rounds a row group to 2,048 rows (its vector size).
 */
export const FIXTURE_ROW_GROUP_ROWS = 2_048;

export type FixtureRow = Record<SilverColumn, string | null>;

export interface FixtureFile {
  day: string;
  /** The file's part name (silverFileKey). */
  name: string;
  rows: FixtureRow[];
}

/** What the global setup stored for a fixture file. */
export interface StoredFixtureFile {
  day: string;
  key: string;
  bytes: number;
  rows: number;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** A row of `user` (null: anonymous), the `n`-th of its file, of a kind picked by `n`. */
function row(day: string, file: number, n: number, user: string | null): FixtureRow {
  const id = `0000${hex(file, 4)}-0000-4000-8000-${hex(n, 12)}`;
  const at = new Date(Date.parse(`${day}T00:00:00Z`) + n * 7_000);
  const ts = at.toISOString();
  const session = `5e55${hex(file, 4)}-0000-4000-8000-${hex(Math.floor(n / 50), 12)}`;
  const anonymous = "a0000000-0000-4000-8000-000000000001";
  const kinds = [
    { type: "page_view", props: { path: `/category/data?n=${n}` } },
    { type: "search_query", props: { query: '파이썬 입문 "quoted"', results: 3 } },
    { type: "course_open", props: { category: "data", course_id: `c-${n % 7}`, position: 1 + (n % 5) } },
    { type: "login", props: {} },
  ] as const;
  const kind = kinds[n % kinds.length] as (typeof kinds)[number];
  const props: Record<string, unknown> = { ...kind.props, anonymous_id: anonymous, session_id: session };
  const server = kind.type === "login";
  return {
    id,
    type: kind.type,
    ts,
    client_ts: server ? null : new Date(at.getTime() - 2_000).toISOString(),
    event_date: day,
    user_id: user,
    props: JSON.stringify(props),
    category: "category" in props ? String(props.category) : null,
    query: "query" in props ? String(props.query) : null,
    anonymous_id: anonymous,
    session_id: session,
    received_at: new Date(at.getTime() + 1_000).toISOString(),
    source: server ? "server" : "web",
    bronze_object: `bronze/app/${day.replaceAll("-", "/")}/part-000000000-fixture-${file}.jsonl`,
  };
}

/** `count` rows of `user` from the `from`-th of the file on. */
const rows = (day: string, file: number, from: number, count: number, user: (n: number) => string | null) =>
  Array.from({ length: count }, (_, i) => row(day, file, from + i, user(from + i)));

/**
 * The fixture: 2026-03-02 in one file of 8,400 rows (five row groups) where learner A's 2,500
 * rows sit between other learners' (in the second and third row groups only) and B's 300 after
 * them; 2026-03-03 in two files, as a day the ETL added late events to.
 */
export function exportFixtureFiles(): FixtureFile[] {
  const { a, b } = EXPORT_LEARNERS;
  const d1 = "2026-03-02";
  const d2 = "2026-03-03";
  return [
    {
      day: d1,
      name: "01900000-0000-7000-8000-000000000001",
      rows: [
        ...rows(d1, 1, 0, 3_000, (n) => `aaa-filler-${n % 40}`),
        ...rows(d1, 1, 3_000, 2_500, () => a),
        ...rows(d1, 1, 5_500, 300, () => b),
        ...rows(d1, 1, 5_800, 2_400, (n) => `zzz-filler-${n % 40}`),
        ...rows(d1, 1, 8_200, 200, () => null),
      ],
    },
    {
      day: d2,
      name: "01900000-0000-7000-8000-000000000002",
      rows: [...rows(d2, 2, 0, 40, () => a), ...rows(d2, 2, 40, 10, () => b), ...rows(d2, 2, 50, 30, () => null)],
    },
    {
      day: d2,
      name: "01900000-0000-7000-8000-000000000003",
      rows: [...rows(d2, 3, 0, 5, () => a), ...rows(d2, 3, 5, 5, (n) => `zzz-filler-${n}`)],
    },
  ];
}
