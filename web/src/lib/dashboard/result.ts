/**
 * The part of an Arrow table (what DuckDB-WASM answers) that results read. Typed here because
 * apache-arrow 13's type declarations do not resolve under "bundler" module resolution.
 */
interface ArrowTable {
  numRows: number;
  schema: { fields: { name: string; type: { typeId: number } }[] };
  getChildAt(index: number): { get(row: number): unknown } | null;
}

/** Arrow's type ids (apache-arrow's `Type` enum) of the types converted specially. */
const TYPE = { Int: 2, Float: 3, Bool: 6, Decimal: 7, Date: 8, Timestamp: 10 } as const;

/** A plain cell value, as charts, tables and CSV want it: dates as `YYYY-MM-DD`, timestamps as ISO text. */
export type Cell = string | number | boolean | null;

export interface Column {
  name: string;
  /** Numbers align right and format with digit grouping. */
  numeric: boolean;
}

/**
 * A DuckDB result (an Arrow table) read cell by cell on demand, so that a million-row result
 * costs nothing until rows are shown; `ms` is how long the query took, queueing included.
 */
export class QueryResult {
  readonly columns: Column[];
  readonly rowCount: number;
  private readonly readers: ((row: number) => Cell)[];

  constructor(
    table: ArrowTable,
    readonly ms: number,
  ) {
    this.rowCount = table.numRows;
    this.columns = table.schema.fields.map((field) => ({ name: field.name, numeric: isNumeric(field.type.typeId) }));
    this.readers = table.schema.fields.map((field, index) => {
      const vector = table.getChildAt(index);
      const convert = converter(field.type.typeId);
      return (row: number) => {
        const value: unknown = vector?.get(row);
        return value === null || value === undefined ? null : convert(value);
      };
    });
  }

  cell(row: number, column: number): Cell {
    return this.readers[column]?.(row) ?? null;
  }

  /** The rows as objects keyed by column name: for the small results of the dashboard's views. */
  objects<T extends object = Record<string, Cell>>(): T[] {
    return Array.from({ length: this.rowCount }, (_, row) =>
      Object.fromEntries(this.columns.map((column, index) => [column.name, this.cell(row, index)])),
    ) as T[];
  }
}

const NUMERIC = new Set<number>([TYPE.Int, TYPE.Float, TYPE.Decimal]);
const isNumeric = (typeId: number): boolean => NUMERIC.has(typeId);

function converter(typeId: number): (value: unknown) => Cell {
  switch (typeId) {
    case TYPE.Date:
      return (value) => (value as Date).toISOString().slice(0, 10);
    case TYPE.Timestamp:
      // Arrow gives milliseconds since the epoch; silver timestamps are UTC.
      return (value) => new Date(value as number).toISOString().replace("T", " ").replace("Z", "");
    case TYPE.Int:
      // BIGINT arrives as a BigInt: exact as a number up to 2^53, far beyond any count here.
      return (value) => (typeof value === "bigint" ? bigIntCell(value) : (value as number));
    case TYPE.Float:
    case TYPE.Decimal:
      return (value) => value as number;
    case TYPE.Bool:
      return (value) => value as boolean;
    default:
      return (value) => String(value);
  }
}

/** A BigInt as a number when that is exact, as its digits otherwise. */
function bigIntCell(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}
