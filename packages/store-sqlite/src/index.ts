export { SqliteStore, type SqliteStoreOptions, type SqliteStoreSize } from './sqlite-store.js';
export { SCHEMA_VERSION } from './schema.js';
