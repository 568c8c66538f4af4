// The server's log: one JSON object per line on stderr (stdout carries only the start banner and
// the demo accounts, and the commands' output), so that a log collector reads it without a
// parser of its own. A line about a request carries its id, which the client also got as
// `X-Request-Id` (scripts/edge.ts): a user's "it failed at 10:42" leads to the stack.
export type LogLevel = "info" | "warn" | "error";

export interface LogFields {
  requestId?: string;
  [field: string]: unknown;
}

/** Where lines go; tests and other processes may replace it (the default writes to stderr). */
export type LogSink = (line: string) => void;

const KEY = Symbol.for("secure-line-console.log-sink");
type Holder = { [KEY]?: LogSink };

// Shared through globalThis: the built app is a separate module instance from the server's.
export function setLogSink(sink: LogSink): void {
  (globalThis as Holder)[KEY] = sink;
}

const writeStderr: LogSink = (line) => {
  process.stderr.write(`${line}\n`);
};

export function log(level: LogLevel, msg: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  ((globalThis as Holder)[KEY] ?? writeStderr)(line);
}

/** An error's message and stack as log fields (a thrown non-Error is logged as its text). */
export function errorFields(error: unknown): { error: string; stack?: string } {
  if (error instanceof Error) return { error: error.message, stack: error.stack };
  return { error: String(error) };
}

/** A line of plain text (the scheduler's, the mail outbox's) as a JSON log line. */
export const logText = (line: string): void =>
  log(line.startsWith("scheduler:") ? "error" : "info", line);

/** The path as logged: without the query, and without the secret of a one-time link. */
export function loggedPath(path: string): string {
  return path.replace(/^\/invitation\/[^/]+/, "/invitation/[token]");
}
