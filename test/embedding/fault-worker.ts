/**
 * An inference worker that misbehaves on request, for worker-embedder.test.ts: the real worker
 * (serveInference, the fixture model), preceded by a listener that reads markers in the texts of
 * each request. `SLOW<ms>` busy-waits that long (a long batch: the thread is blocked, as
 * onnxruntime blocks it); `CRASH-ONCE[<file>]` ends the worker unless <file> exists, creating it
 * (the first attempt dies, the retry succeeds); `CRASH-ALWAYS` ends it every time; `DONE[<file>]`
 * creates <file> once the text's slow part is over (the batch got to its end).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { serveInference, type EmbedRequest, type InferenceWorkerData } from '../../src/embedding/inference-worker.ts';

parentPort!.on('message', (request: EmbedRequest) => {
  for (const text of request.texts) {
    const slow = /SLOW(\d+)/.exec(text);
    if (slow) {
      const until = performance.now() + Number(slow[1]);
      while (performance.now() < until);
    }
    const once = /CRASH-ONCE\[(.+?)\]/.exec(text);
    if (once && !existsSync(once[1]!)) {
      writeFileSync(once[1]!, '');
      process.exit(70);
    }
    if (text.includes('CRASH-ALWAYS')) process.exit(71);
    const done = /DONE\[(.+?)\]/.exec(text);
    if (done) writeFileSync(done[1]!, '');
  }
});

await serveInference(parentPort!, workerData as InferenceWorkerData);
