/** Size and time limits of `POST /api/events`, enforced by the worker and respected by the SDK. */
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
   * The horizon: how long before it is received an event may have happened. Queued offline
   * events older than this are dropped by the SDK; the ETL keeps every day within it open.
   */
  maxEventAgeDays: 30,
  /** How far after its receipt an event's time may lie (after the clock correction, see eventTime). */
  maxFutureSkewMs: 10 * 60 * 1000,
} as const;

export const DAY_MS = 24 * 60 * 60 * 1000;

/** LIMITS.maxEventAgeDays in milliseconds. */
export const MAX_EVENT_AGE_MS = LIMITS.maxEventAgeDays * DAY_MS;

/**
 * Data rights: an erased username is refused at sign-up for the horizon, so that no late event of
 * the erased learner can be taken for a new account's; the ETL carries an erasure out within
 * `erasureDueHours` of the request (the answer to DELETE /api/me promises that time).
 */
export const ERASURE = {
  nameBlockedDays: LIMITS.maxEventAgeDays,
  erasureDueHours: 24,
} as const;
