/** Every migration, oldest first. Listed explicitly so compiled and test runs load the same set. */
export const MIGRATIONS: Function[] = [];
