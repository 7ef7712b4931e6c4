import { Identity1764000000000 } from './1764000000000-identity.js';

/** Every migration, oldest first. Listed explicitly so compiled and test runs load the same set. */
export const MIGRATIONS: Function[] = [Identity1764000000000];
