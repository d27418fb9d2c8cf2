/**
 * The generator's worker thread: loads the VAE decoder and the judge once, then answers
 * generation requests ({ id, request } -> { id, candidates } or { id, error }) one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../ml/backend';
import { loadJudge } from '../../ml/assessment/judge';
import { loadVae } from '../../ml/models/vae';
import { countParams } from '../../ml/models/storage';
import { generateCandidates, type GenerationRequest } from './generation';

const port = parentPort!;
const { vaeDir, judgeDir } = workerData as { vaeDir: string; judgeDir: string };

const ready = (async () => {
  await initBackend();
  const vae = await loadVae(vaeDir);
  const judge = await loadJudge(judgeDir);
  return { decoder: vae.decoder, judge, params: countParams(vae.combined) };
})();
// A load failure is reported with each request, as the reason generation is not possible.
ready.catch(() => {});

port.on('message', async (msg: { id: number; request: GenerationRequest }) => {
  try {
    const { decoder, judge, params } = await ready;
    const t0 = performance.now();
    const candidates = generateCandidates(decoder, judge, msg.request);
    port.postMessage({ id: msg.id, candidates, params, ms: performance.now() - t0 });
  } catch (err) {
    port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
port.postMessage({ ready: true });
