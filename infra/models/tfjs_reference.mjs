// Runs TF.js graph models with the official runtime on raw input tensors and writes their outputs
// (and, with "repeats", median timings): used by `pipeline bench models` for the side-by-side numbers.
//
//   node tfjs_reference.mjs JOB.json
//
// JOB.json: { "backend": "wasm" | "cpu", "threads": 2, "repeats": 0,
//             "runs": [ { "model": "/abs/movenet-thunder.json", "input": "/abs/x.bin",
//                         "dtype": "int32" | "float32", "shape": [1,256,256,3],
//                         "outputs": ["Identity:0"], "result": "/abs/out.json" } ] }
import fs from 'node:fs';
import { initBackend, loadGraphModel, readTensor, run, time, version } from './tfjs_runtime.mjs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const backend = await initBackend(job.backend ?? 'wasm', job.threads ?? 0);
const models = new Map();
for (const item of job.runs) {
  if (!models.has(item.model)) models.set(item.model, await loadGraphModel(item.model));
  const model = models.get(item.model);
  const input = readTensor(item.input, item.dtype, item.shape);
  const result = { tfjs: version, backend, outputs: await run(model, input, item.outputs) };
  if (job.repeats > 0) result.milliseconds = await time(model, input, item.outputs, job.repeats);
  input.dispose();
  fs.writeFileSync(item.result, JSON.stringify(result));
}
