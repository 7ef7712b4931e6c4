/**
 * The full Keyward flow, written only against the client @hey-api/openapi-ts generates from
 * openapi.json (test/.generated/, made by generated-client.spec.ts). It is type-checked with
 * that client, so a document change that breaks a caller's code fails here before it runs.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createClient, createConfig, type Client } from '../.generated/keyward-client/client/index.js';
import {
  createEnvironment,
  createKeyStore,
  createKeyStoreEntry,
  createProject,
  createProjectKey,
  createUser,
  deleteKeyStore,
  deleteKeyStoreEntry,
  deleteProjectKey,
  deployProjectKey,
  getActualKeyStore,
  getDeployedKeys,
  getKeyStoreEntry,
  getKeyStores,
  getProjectKeys,
  issueAccessToken,
  issueApiOpsAccessToken,
  listKeyStoreEntries,
  rewrapKeyStores,
  setProjectMember,
  undeployProjectKey,
  updateKeyStore,
  updateKeyStoreEntry,
  updateProjectKey,
  type ApinizerErrorDto,
  type AppliveryErrorDto,
  type KeyCreateDto,
  type V1KeyStoreEntryDto,
} from '../.generated/keyward-client/index.js';

export interface FlowInput {
  baseUrl: string;
  admin: { username: string; secret: string };
  /** Fresh names, so the flow can run beside other test files on one database. */
  names: { entryKey: string; project: string; environment: string; projectKey: string; member: string };
}

function bearerClient(baseUrl: string, token: string): Client {
  return createClient(createConfig({ baseUrl, auth: () => token }));
}

export async function runClientFlow({ baseUrl, admin, names }: FlowInput): Promise<void> {
  const anonymous = createClient(createConfig({ baseUrl }));

  // Token: bad credentials are a typed OAuth error; good ones a typed token answer.
  const refused = await issueAccessToken({ client: anonymous, body: { grant_type: 'client_credentials', client_id: admin.username, client_secret: 'wrong-secret' } });
  expect(refused.response.status).toBe(401);
  expect(refused.error?.error).toBe('unauthorized_client');
  const issued = await issueAccessToken({ client: anonymous, body: { grant_type: 'client_credentials', client_id: admin.username, client_secret: admin.secret } });
  expect(issued.data?.token_type).toBe('Bearer');
  const client = bearerClient(baseUrl, issued.data!.access_token);

  // Key store (/v1): create, duplicate → 409, update with If-Match, get, list, delete, get → 404.
  const created = await createKeyStoreEntry({ client, body: { key: names.entryKey, data: { darkMode: true, maxItems: 20 } } });
  const entry: V1KeyStoreEntryDto | undefined = created.data?.data;
  expect(entry).toMatchObject({ key: names.entryKey, version: 1 });
  expect(entry?.createdBy).toMatch(/^[a-fA-F0-9]{24}$/);
  const duplicate = await createKeyStoreEntry({ client, body: { key: names.entryKey, data: {} } });
  expect(duplicate.response.status).toBe(409);
  const conflict: AppliveryErrorDto | undefined = duplicate.error;
  expect(conflict?.error.code).toBe(5001);
  const updated = await updateKeyStoreEntry({ client, path: { keyStoreKey: names.entryKey }, headers: { 'If-Match': '"1"' }, body: { data: { maxItems: 50 } } });
  expect(updated.data?.data).toMatchObject({ version: 2, data: { darkMode: true, maxItems: 50 } });
  const stale = await updateKeyStoreEntry({ client, path: { keyStoreKey: names.entryKey }, headers: { 'If-Match': '"1"' }, body: { data: { maxItems: 60 } } });
  expect(stale.response.status).toBe(412);
  expect(stale.error?.error.code).toBe(5001);
  const read = await getKeyStoreEntry({ client, path: { keyStoreKey: names.entryKey } });
  expect(read.data?.data.data).toEqual({ darkMode: true, maxItems: 50 });
  const page = await listKeyStoreEntries({ client, query: { prefix: names.entryKey, limit: 10 } });
  expect(page.data?.data.items.map((item) => item.key)).toEqual([names.entryKey]);
  expect(page.data?.data.nextCursor).toBeNull();
  const deleted = await deleteKeyStoreEntry({ client, path: { keyStoreKey: names.entryKey } });
  expect(deleted.data?.data.key).toBe(names.entryKey);
  const gone = await getKeyStoreEntry({ client, path: { keyStoreKey: names.entryKey } });
  expect(gone.response.status).toBe(404);
  expect(gone.error?.error).toEqual({ code: 3001, message: 'Entity not found' });
  const invalid = await createKeyStoreEntry({ client, body: { key: 'admin-key', data: {} } });
  expect(invalid.response.status).toBe(400);
  expect(invalid.error?.error.data?.[0]?.field).toBe('key');

  // Key ring (/api/adm/KeyStores): a scheduled entry far in the future, so the active one stays.
  const activation = new Date(Date.now() + (400 + Math.floor(Math.random() * 20_000)) * 86_400_000 + Math.floor(Math.random() * 86_400_000));
  const ring = await createKeyStore({
    client,
    body: {
      key: randomBytes(32).toString('base64'),
      activationDate: activation.toISOString(),
      expirationDate: new Date(activation.getTime() + 365 * 86_400_000).toISOString(),
      description: 'Q1 2024 Encryption Key',
    },
  });
  expect(ring.data).toMatchObject({ success: true, code: 200, errorMessage: null });
  const ringId = ring.data!.id;
  expect(ring.data?.keystoreId).toBe(ringId);
  const listed = await getKeyStores({ client, query: { id: ringId } });
  expect(listed.data?.entries[0]).toMatchObject({ id: ringId, status: 'Scheduled', isActive: false });
  const actual = await getActualKeyStore({ client });
  expect(actual.data?.entry.status).toBe('Active');
  const rewrap = await rewrapKeyStores({ client });
  expect(rewrap.data?.activeEntryId).toBe(actual.data?.entry.id);
  const described = await updateKeyStore({ client, path: { id: ringId }, body: { description: 'rotated' } });
  expect(described.data?.entry.description).toBe('rotated');
  const badRing = await createKeyStore({ client, body: { key: 'not-base64!', activationDate: activation.toISOString(), expirationDate: activation.toISOString() } });
  expect(badRing.response.status).toBe(400);
  expect(badRing.error).toMatchObject({ success: false, code: 400 });
  expect((await deleteKeyStore({ client, path: { id: ringId } })).data?.id).toBe(ringId);

  // Identity and project setup: a member with every permission in a new project.
  const member = await createUser({ client, body: { username: names.member } });
  expect(member.data?.secret).toBeTypeOf('string');
  const project = await createProject({ client, body: { name: names.project, description: 'flow' } });
  expect(project.data?.project.permissions).toContain('SECRETS:MANAGE');
  const environment = await createEnvironment({ client, path: { projectName: names.project }, body: { name: names.environment, type: 'TEST' } });
  expect(environment.data?.environment.name).toBe(names.environment);
  const granted = await setProjectMember({
    client,
    path: { projectName: names.project, userId: member.data!.id },
    body: { permissions: ['SECRETS:VIEW', 'SECRETS:MANAGE', 'SECRETS:DEPLOY_UNDEPLOY'] },
  });
  expect(granted.data?.member.permissions).toHaveLength(3);
  const memberToken = await issueApiOpsAccessToken({ client: anonymous, body: { grant_type: 'client_credentials', client_id: names.member, client_secret: member.data!.secret! } });
  const asMember = bearerClient(baseUrl, memberToken.data!.access_token);

  // Project keys (/apiops): create, duplicate → 400, list, update, undeploy, deploy, deployed-keys, delete.
  const content = randomBytes(32).toString('base64');
  const keyBody: KeyCreateDto = {
    name: names.projectKey,
    description: 'Key for API encryption',
    keyType: 'SECRET_KEY',
    cryptoKeyInfoEnvironmentList: [{ environmentName: names.environment, content, alias: 'my-key-alias' }],
  };
  const projectPath = { projectName: names.project };
  const key = await createProjectKey({ client: asMember, path: projectPath, body: keyBody });
  expect(key.data?.deploymentResult.environmentResults).toEqual([{ environmentName: names.environment, success: true, message: 'Deployed successfully' }]);
  const duplicateKey = await createProjectKey({ client: asMember, path: projectPath, body: keyBody });
  expect(duplicateKey.response.status).toBe(400);
  const duplicateError: ApinizerErrorDto | undefined = duplicateKey.error;
  expect(duplicateError).toEqual({
    error: 'bad_request',
    error_description: `Key (name: ${names.projectKey}) is already exist! Try update operation if want to change its value.`,
  });
  const keys = await getProjectKeys({ client: asMember, path: projectPath });
  expect(keys.data?.resultList.map((k) => k.name)).toEqual([names.projectKey]);
  expect(keys.data?.resultList[0]?.cryptoKeyInfoEnvironmentList[0]?.deploymentStatus).toBe('DEPLOYED');
  const keyPath = { ...projectPath, keyName: names.projectKey };
  const renamed = await updateProjectKey({ client: asMember, path: keyPath, body: { description: 'Key for API encryption (rotated)' } });
  expect(renamed.data?.deploymentResult.success).toBe(true);
  const deploymentPath = { ...keyPath, environmentName: names.environment };
  expect((await undeployProjectKey({ client: asMember, path: deploymentPath })).data?.deploymentResult.success).toBe(true);
  expect((await getDeployedKeys({ client: asMember, path: { ...projectPath, environmentName: names.environment } })).data?.resultCount).toBe(0);
  expect((await deployProjectKey({ client: asMember, path: deploymentPath })).data?.deploymentResult.success).toBe(true);
  const deployed = await getDeployedKeys({ client: asMember, path: { ...projectPath, environmentName: names.environment } });
  expect(deployed.data?.resultList).toEqual([
    { name: names.projectKey, keyType: 'SECRET_KEY', alias: 'my-key-alias', version: 2, content, deploymentStatus: 'DEPLOYED' },
  ]);
  const removed = await deleteProjectKey({ client: asMember, path: keyPath });
  expect(removed.data?.deploymentResult.environmentResults[0]?.message).toBe('Undeployed successfully');

  // An unknown project answers 404 in the Apinizer envelope.
  const unknown = await getProjectKeys({ client: asMember, path: { projectName: `${names.project}-missing` } });
  expect(unknown.response.status).toBe(404);
  expect(unknown.error?.error).toBe('not_found');
}
