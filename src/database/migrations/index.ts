import { Identity1764000000000 } from './1764000000000-identity.js';
import { KeyRing1764000100000 } from './1764000100000-key-ring.js';
import { ProjectKeys1764000300000 } from './1764000300000-project-keys.js';

/** Every migration, oldest first. Listed explicitly so compiled and test runs load the same set. */
export const MIGRATIONS: Function[] = [Identity1764000000000, KeyRing1764000100000, ProjectKeys1764000300000];
