import { expect } from 'vitest';
import type { TestUser } from '../support/auth.js';
import { uniqueName } from '../support/auth.js';
import type { TestApp } from '../support/test-app.js';

/** A fresh key of the key-store pattern; the run's database is shared by every test file. */
export function uniqueKey(prefix = 'entry'): string {
  return uniqueName(prefix);
}

/** Creates an entry through the API and returns the answered entry. */
export async function createEntry(t: TestApp, user: TestUser, key: string, data: Record<string, unknown>) {
  const res = await t.http.post('/v1/key-store/').set(user.auth).send({ key, data });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as EntryBody;
}

export interface EntryBody {
  key: string;
  data: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The Applivery error envelope of SPEC §2. */
export function appliveryError(code: number, message: string) {
  return { status: false, error: { code, message } };
}
