// Runs a command's main function: its return value is the exit status; an unexpected error is
// printed as `NAME: message` (no stack trace) and exits 1. Every variable of the environment is
// checked first (app/config.server.ts): a bad one stops the command with `VAR: message`.
import { ConfigError, environment, type Environment } from "../app/config.server";

export function runCommand(name: string, main: () => Promise<number>): void {
  checkedEnvironment();
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(
        error instanceof ConfigError
          ? error.message
          : `${name}: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exitCode = 1;
    },
  );
}

/** The environment, or exit 1 with each bad variable's `VAR: message` on stderr. */
export function checkedEnvironment(): Environment {
  try {
    return environment();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
