import { Audit1764000400000 } from './1764000400000-audit.js';
import { Identity1764000000000 } from './1764000000000-identity.js';
import { KeyRing1764000100000 } from './1764000100000-key-ring.js';
import { KeyRingMaster1764000500000 } from './1764000500000-key-ring-master.js';
import { KeyStore1764000200000 } from './1764000200000-key-store.js';
import { ProjectKeys1764000300000 } from './1764000300000-project-keys.js';
import { SecretVersion1764000600000 } from './1764000600000-secret-version.js';

/** Every migration, oldest first. Listed explicitly so compiled and test runs load the same set. */
export const MIGRATIONS: Function[] = [Identity1764000000000, KeyRing1764000100000, KeyStore1764000200000, ProjectKeys1764000300000, Audit1764000400000, KeyRingMaster1764000500000, SecretVersion1764000600000];
