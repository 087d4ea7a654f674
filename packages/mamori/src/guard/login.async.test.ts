// The login guard's tests again, on a store without its synchronous side: the guard's async
// path (the one SQLite and remote stores take) held to the same behaviour.
(globalThis as { mamoriLoginTestStore?: string }).mamoriLoginTestStore = 'async';
await import('./login.test.js');
