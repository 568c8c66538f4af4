// The process-wide database handle. The server entry migrates before it loads the app, and
// shares its handle through globalThis so that one process holds one connection.
import { openDatabase, type DatabaseHandle } from "../db/connection";

const KEY = Symbol.for("secure-line-console.db");
type Holder = { [KEY]?: DatabaseHandle };

export function getDatabase(): DatabaseHandle {
  const holder = globalThis as Holder;
  holder[KEY] ??= openDatabase();
  return holder[KEY];
}

export function setDatabase(handle: DatabaseHandle): void {
  (globalThis as Holder)[KEY] = handle;
}

export function getDb() {
  return getDatabase().db;
}
