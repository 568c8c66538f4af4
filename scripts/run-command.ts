// Runs a command's main function: its return value is the exit status; an unexpected error is
// printed as `NAME: message` (no stack trace) and exits 1.
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
