/**
 * What a test writes into an event (a props value, say) to have the wire between the worker and
 * S3 (s3-wire.ts) misbehave for the PUT whose body carries it. Every other request passes as sent.
 */
export const WIRE_FAULTS = {
  /** The PUT reaches S3 with only the first half of its body, and a Content-Length to match. */
  truncate: "wire-fault:truncate",
  /** The PUT is held for WIRE_HOLD_MS before it goes on, and dropped if the worker hangs up meanwhile. */
  hold: "wire-fault:hold",
} as const;

export const WIRE_HOLD_MS = 1_500;
