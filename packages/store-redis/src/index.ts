export { RedisStore, RedisEvents, type RedisStoreOptions } from './redis-store.js';
