import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createApp } from '../../src/bootstrap.js';
import { createIsolatedDatabase } from '../support/isolated-database.js';

describe('KEYWARD_BOOTSTRAP_ADMIN', () => {
  it('creates the first admin on an empty database, once', async () => {
    // A database of its own: "no admin exists yet" cannot hold in the run's shared one.
    const db = await createIsolatedDatabase();
    const env = {
      DATABASE_URL: db.url,
      KEYWARD_MASTER_KEY: inject('masterKey'),
      KEYWARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'kw-bootstrap-')),
      KEYWARD_BOOTSTRAP_ADMIN: 'root-operator:first-admin-secret',
    };
    try {
      const first = await createApp(env);
      const token = await request(first.getHttpServer())
        .post('/oauth/token')
        .send({ grant_type: 'client_credentials', client_id: 'root-operator', client_secret: 'first-admin-secret' })
        .expect(200);
      const users = await request(first.getHttpServer()).get('/api/adm/users').set('Authorization', `Bearer ${token.body.access_token}`).expect(200);
      expect(users.body.users).toEqual([expect.objectContaining({ username: 'root-operator', isAdmin: true })]);
      await first.close();

      const second = await createApp({ ...env, KEYWARD_BOOTSTRAP_ADMIN: 'another-admin:another-secret-1' });
      const again = await request(second.getHttpServer()).get('/api/adm/users').set('Authorization', `Bearer ${token.body.access_token}`).expect(200);
      expect(again.body.users.map((u: { username: string }) => u.username)).toEqual(['root-operator']);
      await second.close();
    } finally {
      await db.drop();
    }
  }, 60_000);
});
