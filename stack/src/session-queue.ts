// A replacement for pglite-socket's QueryQueueManager that makes PGlite safe
// for several concurrent clients.
//
// What pglite-socket 0.2.17 does (dist/chunk-*.js): PGLiteSocketServer accepts
// `maxConnections` clients (default 1; it also sets net.Server#maxConnections,
// so a second client is dropped) and pushes every protocol message of every
// client into one FIFO queue. PGlite is a single backend, so messages of
// different clients interleave. It only keeps a client's messages together
// while PGlite reports an explicit transaction block (IsTransactionBlock), and
// it decides that *after* other clients' messages may already have run. The
// extended protocol (Parse/Bind/Execute/Sync, used by pg for every
// parameterised query and by the Neon driver) runs in an implicit transaction
// that this check does not see, so concurrent clients clobber each other's
// unnamed statement/portal ("portal \"\" cannot be run") and run statements
// inside another client's BEGIN. Measured: 4 pg clients doing BEGIN/INSERT/
// SELECT/COMMIT concurrently got 147 wrong answers and 25 errors out of 200.
// Also a failing message left its queue stuck ("processing" never reset).
//
// This queue gives the database to one client at a time, for a whole
// protocol exchange: a client keeps it from its first message until PGlite
// answers ReadyForQuery with status 'I' (idle, outside any transaction). So a
// pipeline up to Sync, and a whole BEGIN..COMMIT, run without interleaving;
// other clients wait in arrival order. When the owner disconnects (or sends
// Terminate) mid-exchange, its work is ended (Sync, then ROLLBACK if a
// transaction is open) and the next client goes on.
//
// Caveat (inherent to PGlite): all clients share one backend session, so
// session state (SET, named prepared statements, temp tables) is shared.
import type { PGlite } from "@electric-sql/pglite";

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

const TERMINATE = 0x58; // 'X'
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]); // 'S', length 4

/**
 * Follows a backend message stream (possibly split in arbitrary chunks) and
 * remembers the status of the last ReadyForQuery ('Z') message.
 */
export class ReadyForQueryTracker {
  /** 'I' idle, 'T' in transaction, 'E' failed transaction; null: none seen. */
  lastStatus: string | null = null;
  private header = new Uint8Array(5);
  private headerLen = 0;
  private remaining = 0;
  private type = 0;

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        if (this.type === 0x5a && this.remaining === 1) {
          this.lastStatus = String.fromCharCode(chunk[i] ?? 0);
        }
        i += take;
        this.remaining -= take;
        continue;
      }
      this.header[this.headerLen++] = chunk[i++] ?? 0;
      if (this.headerLen === 5) {
        const view = new DataView(this.header.buffer);
        this.type = this.header[0] ?? 0;
        this.remaining = view.getInt32(1) - 4;
        this.headerLen = 0;
      }
    }
  }
}

export class SessionQueue {
  private readonly waiting: QueuedMessage[] = [];
  private owner: number | null = null;
  /** Status the owner's last exchange ended in (null while mid-pipeline). */
  private ownerStatus: string | null = null;
  private running = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ handlerId, message, onData, resolve, reject });
      void this.pump();
    });
  }

  getQueueLength(): number {
    return this.waiting.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const item = this.waiting[i];
      if (item?.handlerId === handlerId) {
        this.waiting.splice(i, 1);
        item.reject(new Error("Handler disconnected"));
      }
    }
  }

  /** Called by pglite-socket when a client goes away. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    await this.release();
    void this.pump();
  }

  /** Ends whatever the owner left open and frees the database. */
  private async release(): Promise<void> {
    try {
      if (this.ownerStatus !== "I") {
        await this.db.runExclusive(() => this.db.execProtocolRawStream(SYNC, { onRawData: () => {} }));
        if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
      }
    } finally {
      this.owner = null;
      this.ownerStatus = null;
    }
  }

  private next(): QueuedMessage | undefined {
    const index = this.owner === null ? 0 : this.waiting.findIndex((m) => m.handlerId === this.owner);
    if (index < 0 || index >= this.waiting.length) return undefined;
    return this.waiting.splice(index, 1)[0];
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let item = this.next(); item; item = this.next()) {
        this.owner = item.handlerId;
        if (item.message[0] === TERMINATE) {
          // The client is leaving: end its work instead of handing 'X' to PGlite.
          await this.release().catch(() => {});
          item.resolve(0);
          continue;
        }
        const tracker = new ReadyForQueryTracker();
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                tracker.feed(data);
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (error) {
          item.reject(error);
        }
        this.ownerStatus = tracker.lastStatus;
        if (tracker.lastStatus === "I") {
          this.owner = null;
          this.ownerStatus = null;
        }
      }
    } finally {
      this.running = false;
    }
  }
}
