/** Size limits of `POST /api/events`, enforced by the worker and respected by the SDK. */
export const LIMITS = {
  /** Events in one request. */
  maxEventsPerBatch: 500,
  /** Request body, in bytes. */
  maxBodyBytes: 1024 * 1024,
  /** One event's `props`, serialized as JSON, in UTF-8 bytes. */
  maxPropsBytes: 8 * 1024,
  /** Nesting depth of `props` (objects and arrays). */
  maxPropsDepth: 16,
  /**
   * How far an event's `ts` may be from the server's clock when received. The ETL
   * reads bronze days D-1, D and D+1 for event_date D, so this keeps every accepted
   * event within reach of its day's run.
   */
  maxClockSkewMs: 24 * 60 * 60 * 1000,
} as const;
