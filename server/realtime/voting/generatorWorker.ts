/**
 * The generator's worker thread: loads the VAE decoder, its per-class latent prior and the judge once, then answers
 * generation requests ({ id, request } -> { id, candidates } or { id, error }) one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../ml/backend';
import { loadJudge } from '../../ml/models/judge';
import { loadVae } from '../../ml/models/vae';
import { loadClassPriors } from '../../ml/models/classPrior';
import { countParams } from '../../ml/models/storage';
import { generateCandidates, type GenerationRequest } from './generation';

const port = parentPort!;
const { vaeDir, judgeDir } = workerData as { vaeDir: string; judgeDir: string };

const ready = (async () => {
  await initBackend();
  const vae = await loadVae(vaeDir);
  const judge = await loadJudge(judgeDir);
  const prior = await loadClassPriors(vaeDir);
  return { decoder: vae.decoder, judge, prior, params: countParams(vae.combined) };
})();
// A load failure is reported with each request, as the reason generation is not possible.
ready.catch(() => {});

port.on('message', async (msg: { id: number; request: GenerationRequest }) => {
  try {
    const { decoder, judge, prior, params } = await ready;
    const t0 = performance.now();
    const candidates = generateCandidates(decoder, judge, msg.request, prior);
    port.postMessage({ id: msg.id, candidates, params, ms: performance.now() - t0 });
  } catch (err) {
    port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
port.postMessage({ ready: true });
