import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The pool size to use against the embedded database. PGlite is one session and its socket
 * server queues protocol *messages*, not whole statements: two connections' extended-protocol
 * messages (Parse/Bind/Execute/Sync) can interleave and one connection can receive the other's
 * results. One connection removes the interleaving; code must then never query outside its
 * transaction while holding one (it would wait for a second connection that does not exist).
 */
export const EMBEDDED_POOL_SIZE = 1;

export interface EmbeddedPostgres {
  /** Connection string for `pg`/TypeORM. */
  url: string;
  /** Where the data lives, or undefined for an in-memory database. */
  dataPath?: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) behind a loopback socket so the
 * service talks to it with the same `pg` driver as to a real server. `dataDir` undefined
 * means in-memory (tests). PGlite is a single session: the socket server queues statements
 * and keeps a transaction's statements together, so the pool must stay below maxConnections.
 */
export async function startEmbeddedPostgres(dataDir?: string, maxConnections = 64): Promise<EmbeddedPostgres> {
  // maxConnections is generous: each process sharing this database (tests, CLI) opens its own pool.
  let dataPath: string | undefined;
  let releaseLock = () => {};
  if (dataDir !== undefined) {
    dataPath = join(dataDir, 'pgdata');
    mkdirSync(dataPath, { recursive: true, mode: 0o700 });
    releaseLock = lockDataDirectory(dataDir);
  }
  try {
    const db = await PGlite.create(dataPath);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    return {
      url,
      dataPath,
      async stop() {
        await server.stop();
        await db.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

// Directories this process has open: a pid file naming our own pid may be a stale one from an
// earlier process that had the same pid (pid 1 in a container), so the file alone cannot tell.
const openedHere = new Set<string>();

/** PGlite has no lock of its own; two users of one directory would corrupt it. */
function lockDataDirectory(dataDir: string): () => void {
  const lockFile = join(dataDir, 'keyward.pid');
  if (openedHere.has(lockFile)) throw new Error(`The embedded database in ${dataDir} is in use by process ${process.pid}`);
  try {
    const fd = openSync(lockFile, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processIsAlive(holder)) {
      throw new Error(`The embedded database in ${dataDir} is in use by process ${holder}`);
    }
    // A stale lock from a process that died: take it over.
    writeFileSync(lockFile, String(process.pid));
  }
  openedHere.add(lockFile);
  return () => {
    openedHere.delete(lockFile);
    rmSync(lockFile, { force: true });
  };
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
