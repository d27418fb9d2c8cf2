/**
 * The several-machines set-up of `npm run bench:realtime -- --nodes N` (issue 20), on this machine:
 * N web nodes (bench-realtime-node.ts, which measures its own event-loop lag) and one trainer
 * (`npm run worker`) as child processes, sharing one Redis under a key prefix of their own and a
 * fresh PostgreSQL database. close() stops them and removes the database, the keys and nothing else.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { deleteKeys } from '../cluster/redis';
import { createThrowawayPostgres, type ThrowawayPostgres } from '../db/throwawayPostgres';
import { UserFacingError } from '../errors';
import { freePort } from '../net';
import type { LagFigures } from './bench-realtime-lag';
import type { NodeReply, NodeRequest } from './bench-realtime-node';

export interface ClusterOptions {
  nodes: number;
  /** Any database of the PostgreSQL server; the benchmark creates its own next to it. */
  postgresUrl: string;
  redisUrl: string;
  /** The Fashion-MNIST files the trainer trains on. */
  fashionMnistDir: string;
  /** A throw-away folder: DATA_DIR of every process (session checkpoints, saved models). */
  scratch: string;
}

export interface WebNode {
  name: string;
  url: string;
  /** Starts measuring the node's event-loop lag from now. */
  startLag(): void;
  /** Stops measuring; the lag since startLag(). */
  stopLag(): Promise<LagFigures>;
}

export interface Cluster {
  nodes: WebNode[];
  /** The trainer's TensorFlow.js backend, as it reports it. */
  trainerBackend: string;
  close(): Promise<void>;
}

const READY_MS = 120_000;
const SCRIPT = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** One child process, its output kept for the error message when it fails. */
interface Proc {
  name: string;
  child: ChildProcess;
  output: string;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const database = await createDatabase(o.postgresUrl);
  const prefix = `fmp-bench:${process.pid}-${randomBytes(3).toString('hex')}:`;
  const procs: Proc[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PAGES: 'false',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: prefix,
    DATA_DIR: o.scratch,
    FASHION_MNIST_DIR: o.fashionMnistDir,
    // Every node must sign and read the same guest cookies.
    COOKIE_SECRET: randomBytes(24).toString('hex'),
    NEXT_TELEMETRY_DISABLED: '1',
  };
  /** Starts `script` under Node and resolves with the child and the match of `ready` in its output. */
  const start = (name: string, script: string, args: string[], ready: RegExp, extra: Record<string, string>) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const proc: Proc = { name, child, output: '' };
    procs.push(proc);
    return new Promise<{ child: ChildProcess; match: RegExpExecArray }>((resolve, reject) => {
      let stderrLine = '';
      const timer = setTimeout(
        () => reject(new Error(`${name} not ready in ${READY_MS / 1000} s:\n${proc.output}`)),
        READY_MS,
      );
      const onData = (chunk: Buffer) => {
        proc.output = (proc.output + chunk.toString()).slice(-20_000);
        const match = ready.exec(proc.output);
        if (match) {
          clearTimeout(timer);
          resolve({ child, match });
        }
      };
      child.stdout!.on('data', onData);
      // Warnings and errors of a running node are part of the benchmark's story: shown as they come.
      child.stderr!.on('data', (chunk: Buffer) => {
        onData(chunk);
        const lines = (stderrLine + chunk.toString()).split('\n');
        stderrLine = lines.pop()!;
        for (const line of lines) if (line.trim()) console.error(`  [${name}] ${line}`);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${proc.output}`));
      });
    });
  };
  const webNode = async (i: number): Promise<WebNode> => {
    const name = `node ${i + 1}`;
    const ready = /Fashion-MNIST playground: (http:\S+)/;
    const port = String(await freePort());
    const { child, match } = await start(
      name,
      SCRIPT('./bench-realtime-node.ts'),
      ['--relaxed-message-budget'],
      ready,
      {
        PORT: port,
      },
    );
    return { name, url: match[1]!, ...lagControls(child, name) };
  };

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.all(procs.map((p) => stopChild(p.child)));
      await deleteKeys(o.redisUrl, prefix).catch((err: unknown) =>
        console.error(`  could not delete the Redis keys ${prefix}*: ${(err as Error).message}`),
      );
      await database
        .drop()
        .catch((err: unknown) =>
          console.error(`  could not drop the database ${database.name}: ${(err as Error).message}`),
        );
    })());
  try {
    // The first node alone: it migrates the fresh database.
    const first = await webNode(0);
    const [rest, trainer] = await Promise.all([
      Promise.all(Array.from({ length: o.nodes - 1 }, (_, i) => webNode(i + 1))),
      start('trainer', SCRIPT('./worker.ts'), ['--no-assess'], /backend (\S+(?: \(simd\))?),/, {}),
    ]);
    return { nodes: [first, ...rest], trainerBackend: trainer.match[1]!, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The lag measurement of a bench-realtime-node child, over the IPC channel it was spawned with. */
export function lagControls(child: ChildProcess, name: string): Pick<WebNode, 'startLag' | 'stopLag'> {
  return {
    startLag: () => child.send({ type: 'lag:start' } satisfies NodeRequest),
    stopLag: () =>
      new Promise<LagFigures>((resolve, reject) => {
        child.once('message', (m: NodeReply) => resolve(m.lag));
        child.once('exit', () => reject(new Error(`${name} exited before it reported its lag`)));
        child.send({ type: 'lag:stop' } satisfies NodeRequest);
      }),
  };
}

/** SIGTERM (a clean close), SIGKILL if it takes too long. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A throw-away database on the PostgreSQL server of `serverUrl`; drop() removes it. */
function createDatabase(serverUrl: string): Promise<ThrowawayPostgres> {
  const name = `bench_realtime_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  return createThrowawayPostgres(serverUrl, name, (why) => {
    return new UserFacingError(
      `PostgreSQL at ${new URL(serverUrl).host} is not reachable (${why}); --nodes needs one (--postgres-url).`,
    );
  });
}
