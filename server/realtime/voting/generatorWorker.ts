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

async function loadGenerator(dir: string) {
  const vae = await loadVae(dir);
  const prior = await loadClassPriors(dir);
  return { vae, decoder: vae.decoder, prior, params: countParams(vae.combined) };
}

const ready = (async () => {
  await initBackend();
  const judge = await loadJudge(judgeDir);
  return { judge };
})();
// A load failure is reported with each request, as the reason generation is not possible.
ready.catch(() => {});
const served = ready.then(() => loadGenerator(vaeDir));
served.catch(() => {});

/** Other VAE folders (live sessions' epoch snapshots), most recently used last; a few are kept loaded. */
const others = new Map<string, Promise<Awaited<ReturnType<typeof loadGenerator>>>>();
const KEEP_OTHERS = 2;
function generatorFor(dir: string | undefined) {
  if (!dir) return served;
  let found = others.get(dir);
  if (found) others.delete(dir);
  else found = ready.then(() => loadGenerator(dir));
  others.set(dir, found);
  for (const [old, loaded] of others) {
    if (others.size <= KEEP_OTHERS) break;
    others.delete(old);
    void loaded.then(
      (g) => g.vae.combined.dispose(),
      () => undefined,
    );
  }
  found.catch(() => others.delete(dir));
  return found;
}

port.on('message', async (msg: { id: number; request: GenerationRequest }) => {
  try {
    const { judge } = await ready;
    const { decoder, prior, params } = await generatorFor(msg.request.vaeDir);
    const t0 = performance.now();
    const candidates = generateCandidates(decoder, judge, msg.request, prior);
    port.postMessage({ id: msg.id, candidates, params, ms: performance.now() - t0 });
  } catch (err) {
    port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
port.postMessage({ ready: true });
