/**
 * A test's fixed port, moved by TEST_PORT_OFFSET (default 0) so that two checkouts can run the
 * worker and ETL suites side by side on one machine. The local stack's own ports never move.
 */
export const testPort = (port: number): number => port + Number(process.env.TEST_PORT_OFFSET ?? 0);
