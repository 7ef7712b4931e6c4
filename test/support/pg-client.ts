import pg from 'pg';

/** A direct connection of the test's own (not the service's), e.g. to hold a lock or kill sessions. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'keyward-test' });
  await client.connect();
  return client;
}

/** Cuts every session the service has open on this database, as a failover or a DBA would. */
export async function terminateServiceSessions(client: pg.Client): Promise<number> {
  const result = await client.query(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'keyward' AND datname = current_database() AND pid <> pg_backend_pid()",
  );
  return result.rowCount ?? 0;
}

/** Waits until some session of the service is blocked waiting for a lock. */
// Generous: on a loaded machine (a compile running beside the suite) the request can take seconds to arrive.
export async function waitForLockWait(client: pg.Client, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await client.query(
      "SELECT 1 FROM pg_stat_activity WHERE application_name = 'keyward' AND datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no service session ended up waiting for the lock');
}
