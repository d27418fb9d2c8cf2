/**
 * npm run bench:abuse -- [--seconds 20] [--drawers 2] [--flooders 4] [--minters 4] [--stalled 20]
 *                        [--addresses 1] [--postgres-url URL] [--json]
 * Page requests while the playground is attacked (issue 21: "page requests during the attack stay
 * under 100 ms p95"). The real server with its pages and default limits runs in a child process
 * (bench-realtime-node.ts, as `npm start` would run it, behind one trusted proxy hop so each
 * attacker plays from addresses of its own) on a throw-away PostgreSQL database. A worker thread
 * of this process times GET / and GET /gallery one after another, --seconds with no attack, then
 * --seconds under each attack of bench-abuse-attacks.ts alone and under all of them at once; the
 * table shows p50/p95/p99 of every phase with the server's event-loop lag, then what each attack
 * achieved.
 * It reports; it asserts nothing (speed is never a test).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from '@commander-js/extra-typings';
import { createThrowawayPostgres } from '../db/throwawayPostgres';
import { runCli, UserFacingError } from '../errors';
import { freePort } from '../net';
import { spawnTsWorker } from '../threads/spawn';
import { type AttackCounts, type AttackSettings, RATE_PER_DRAWER, startAttacks } from './bench-abuse-attacks';
import type { PageSample, ProbeData, ProbeMessage } from './bench-abuse-probe';
import type { LagFigures } from './bench-realtime-lag';
import { lagControls, stopChild } from './bench-realtime-cluster';
import { numberOption } from './options';

const PAGES = ['/', '/gallery'];
const PAUSE_MS = 50;
const WARM_UP_MS = 3000;
const SETTLE_MS = 3000;
const TARGET_P95_MS = 100;
const READY_MS = 180_000;

const program = new Command('bench:abuse')
  .description('Time page requests with and without the attacks of issue 21, in one run.')
  .option('--seconds <n>', 'length of each phase (quiet, each attack alone, all attacks)', numberOption, 20)
  .option('--drawers <n>', `connections sending 6,000-point drawings at ${RATE_PER_DRAWER}/s each`, numberOption, 2)
  .option('--flooders <n>', 'connections flooding malformed payloads', numberOption, 4)
  .option('--minters <n>', 'concurrent guest-minting loops (POST /api/identity)', numberOption, 4)
  .option('--stalled <n>', 'connections that stop reading', numberOption, 20)
  .option('--addresses <n>', 'client addresses the attacker plays from (X-Forwarded-For)', numberOption, 1)
  .option(
    '--postgres-url <url>',
    'a PostgreSQL server (any database) to create a throw-away database on',
    'postgresql://postgres@127.0.0.1:5432/postgres',
  )
  .option('--json', 'print one JSON object on stdout');

const quantile = (values: number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

type Attackers = Pick<AttackSettings, 'drawers' | 'flooders' | 'minters' | 'stalled'>;
const ATTACKERS = { drawers: 0, flooders: 0, minters: 0, stalled: 0 } as const;
const NONE: Attackers = { ...ATTACKERS };
const ATTACKERS_OF = (o: Attackers): Attackers => ({
  drawers: o.drawers,
  flooders: o.flooders,
  minters: o.minters,
  stalled: o.stalled,
});

/** One line of what the attacks of a phase sent and got. */
function describeAttacks(a: AttackCounts, o: Attackers): string {
  const parts: string[] = [];
  if (a.drawings.sent)
    parts.push(
      `${a.drawings.sent} 6,000-point drawings by ${o.drawers} connections (${a.drawings.ok} recognized, ${a.drawings.refused} refused)`,
    );
  if (a.malformed.sent)
    parts.push(
      `${a.malformed.sent} malformed requests by ${o.flooders} connections (${a.malformed.answered} answered, ${a.malformed.cutOff} connections cut off)`,
    );
  const guests = a.guests.created + a.guests.refused + a.guests.failed;
  if (guests)
    parts.push(
      `${guests} guest creations (${a.guests.created} created, ${a.guests.refused} refused, ${a.guests.failed} failed)`,
    );
  if (a.stalled.connections)
    parts.push(`${a.stalled.connections} connections that stopped reading (${a.stalled.cutOff} cut off by the server)`);
  return parts.join('; ');
}

interface PhaseFigures {
  phase: string;
  attacks: AttackCounts | null;
  requests: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  serverLag: LagFigures;
}

await runCli(async () => {
  program.parse();
  const o = program.opts();
  if (!Number.isInteger(o.seconds) || o.seconds < 2 || o.seconds > 600)
    throw new UserFacingError('--seconds must be a whole number from 2 to 600.');
  for (const name of ['drawers', 'flooders', 'minters', 'stalled'] as const)
    if (!Number.isInteger(o[name]) || o[name] < 0 || o[name] > 200)
      throw new UserFacingError(`--${name} must be a whole number from 0 to 200.`);
  if (!Number.isInteger(o.addresses) || o.addresses < 1 || o.addresses > 250)
    throw new UserFacingError('--addresses must be a whole number from 1 to 250.');
  const log = (line: string) => (o.json ? process.stderr : process.stdout).write(line + '\n');
  const loadBefore = os.loadavg();

  process.env.NEXT_TELEMETRY_DISABLED = '1';
  const { ensureNextBuild } = await import('../../scripts/start.mjs');
  await ensureNextBuild({ quiet: !!o.json });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'bench-abuse-'));
  const database = await createThrowawayPostgres(
    o.postgresUrl,
    `bench_abuse_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`,
    (why) =>
      new UserFacingError(
        `PostgreSQL at ${new URL(o.postgresUrl).host} is not reachable (${why}); set --postgres-url.`,
      ),
  );
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({ databaseUrl: database.url, scratch });
    // Each attack alone, then all together (the attack), each phase after a quiet one.
    const only = (k: keyof typeof ATTACKERS) => ({ ...NONE, [k]: o[k] });
    const phases: { name: string; attackers: Attackers | null }[] = [
      { name: 'quiet', attackers: null },
      { name: 'drawings', attackers: only('drawers') },
      { name: 'malformed flood', attackers: only('flooders') },
      { name: 'guest minting', attackers: only('minters') },
      { name: 'stopped reading', attackers: only('stalled') },
      {
        name: 'all attacks',
        attackers: { drawers: o.drawers, flooders: o.flooders, minters: o.minters, stalled: o.stalled },
      },
    ];
    log(
      `bench:abuse: server pid ${server.pid} at ${server.url}; timing ${PAGES.join(' and ')} (one at a time, ${PAUSE_MS} ms apart), ${o.seconds} s per phase: ${phases.map((p) => p.name).join(', ')}; attackers from ${o.addresses} address${o.addresses === 1 ? '' : 'es'}`,
    );
    const probe = spawnTsWorker(new URL('./bench-abuse-probe.ts', import.meta.url), {
      url: server.url,
      paths: PAGES,
      pauseMs: PAUSE_MS,
    } satisfies ProbeData);
    const tell = (m: ProbeMessage) => probe.postMessage(m);
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

    await sleep(WARM_UP_MS);
    const results: { name: string; lag: LagFigures; attacks: AttackCounts | null }[] = [];
    for (const { name, attackers } of phases) {
      tell({ phase: name });
      server.startLag();
      const running = attackers && startAttacks({ url: server.url, addresses: o.addresses, ...attackers });
      await sleep(o.seconds * 1000);
      tell({ phase: 'between' });
      const attacks = running ? await running.stop() : null;
      results.push({ name, lag: await server.stopLag(), attacks });
      // The server settles (cut connections, queued drawings) before the next phase.
      if (running) await sleep(SETTLE_MS);
    }
    const samples = await new Promise<PageSample[]>((resolve) => {
      probe.once('message', resolve);
      tell({ stop: true });
    });
    await probe.terminate();

    const figures: PhaseFigures[] = results.map(({ name, lag, attacks }) => {
      const mine = samples.filter((s) => s.phase === name);
      const times = mine.filter((s) => s.status === 200).map((s) => s.ms);
      return {
        phase: name,
        requests: mine.length,
        failed: mine.length - times.length,
        p50: quantile(times, 0.5),
        p95: quantile(times, 0.95),
        p99: quantile(times, 0.99),
        max: times.length ? Math.max(...times) : Number.NaN,
        serverLag: lag,
        attacks,
      };
    });
    const machine = {
      cores: os.cpus().length,
      loadBefore: loadBefore.map((l) => Number(l.toFixed(2))),
      loadAfter: os.loadavg().map((l) => Number(l.toFixed(2))),
    };
    const settings = { seconds: o.seconds, ...ATTACKERS_OF(o), addresses: o.addresses };
    if (o.json) {
      console.log(JSON.stringify({ settings, machine, targetP95Ms: TARGET_P95_MS, phases: figures }));
      return;
    }
    const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
    log('');
    log(
      '| phase           | page requests | failed | p50 ms | p95 ms | p99 ms | max ms | server loop lag p99 ms | server loop busy |',
    );
    log(
      '| --------------- | ------------: | -----: | -----: | -----: | -----: | -----: | ---------------------: | ---------------: |',
    );
    for (const f of figures)
      log(
        `| ${f.phase.padEnd(15)} | ${String(f.requests).padStart(13)} | ${String(f.failed).padStart(6)} | ${ms(f.p50).padStart(6)} | ${ms(f.p95).padStart(6)} | ${ms(f.p99).padStart(6)} | ${ms(f.max).padStart(6)} | ${ms(f.serverLag.p99).padStart(22)} | ${`${Math.round(f.serverLag.busy * 100)} %`.padStart(16)} |`,
      );
    log('');
    for (const f of figures) if (f.attacks) log(`${f.phase}: ${describeAttacks(f.attacks, o)}`);
    const all = figures.at(-1)!;
    log(
      `page p95 under all attacks: ${ms(all.p95)} ms, quiet: ${ms(figures[0]!.p95)} ms (target under attack ${TARGET_P95_MS} ms); machine: ${machine.cores} cores, load average ${machine.loadBefore.join(' ')} before, ${machine.loadAfter.join(' ')} after`,
    );
  } finally {
    await server?.stop();
    await database
      .drop()
      .catch((err: unknown) => log(`could not drop the database ${database.name}: ${(err as Error).message}`));
    await rm(scratch, { recursive: true, force: true });
  }
});

interface ServerProcess {
  pid: number;
  url: string;
  startLag(): void;
  stopLag(): Promise<LagFigures>;
  stop(): Promise<void>;
}

/** The playground as `npm start` runs it (pages, default limits), trusting one proxy hop. */
async function startServerProcess(o: { databaseUrl: string; scratch: string }): Promise<ServerProcess> {
  const script = fileURLToPath(new URL('./bench-realtime-node.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PAGES: 'true',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: o.databaseUrl,
      DATA_DIR: o.scratch,
      TRUST_PROXY: '1',
      COOKIE_SECRET: randomBytes(24).toString('hex'),
      NEXT_TELEMETRY_DISABLED: '1',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server was not ready in ${READY_MS / 1000} s:\n${output}`)),
      READY_MS,
    );
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const match = /Fashion-MNIST playground: (http:\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
  return {
    pid: child.pid!,
    url,
    ...lagControls(child, 'the server'),
    stop: () => stopChild(child),
  };
}
