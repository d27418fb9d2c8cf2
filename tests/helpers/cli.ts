/** Runs the project's command lines as a person does (through tsx), for tests of their output and errors. */
import { execFile } from 'node:child_process';
import path from 'node:path';

const TSX = path.resolve('node_modules/.bin/tsx');

/** Runs server/cli/<script>.ts with `args`; never rejects: the exit code is part of the result. */
export function runCliScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [`server/cli/${script}.ts`, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The error lines a CLI printed (the backend's own log line aside). */
export const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('error:'));
