/** One line of `bronze/_rejected/...`: what was refused, why, and where it came from. */
export interface RejectRecord {
  reason: string;
  /** When the refusal happened (ISO 8601, UTC). */
  rejected_at: string;
  /** `worker` for `POST /api/events`, `etl` for bronze lines the ETL could not use. */
  stage: "worker" | "etl";
  /** Worker: the event's index in the request. */
  index?: number;
  /** ETL: the bronze object and 1-based line the reject came from. */
  object?: string;
  line?: number;
  /** The refused value as received (the raw line for the ETL), or null when it cannot be kept safely. */
  event: unknown;
}
