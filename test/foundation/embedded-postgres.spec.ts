import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('keeps its data under the data directory across restarts and refuses a second user', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kw-embedded-'));
    const first = await startEmbeddedPostgres(dataDir);
    expect(first.dataPath).toBe(join(dataDir, 'pgdata'));
    await query(first.url, 'CREATE TABLE kept (value text)');
    await query(first.url, "INSERT INTO kept VALUES ('survives')");
    await expect(startEmbeddedPostgres(dataDir)).rejects.toThrow(/in use by process/);
    await first.stop();

    const second = await startEmbeddedPostgres(dataDir);
    try {
      expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'survives' }]);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
