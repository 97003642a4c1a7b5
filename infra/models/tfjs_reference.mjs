// Runs TF.js graph models with the official runtime (@tensorflow/tfjs, WASM backend by default)
// on raw input tensors, for the reference fixtures and the side-by-side model benchmark.
//
//   node tfjs_reference.mjs JOB.json
//
// JOB.json: { "backend": "wasm" | "cpu", "threads": 2, "repeats": 0,
//             "runs": [ { "model": "/abs/movenet-thunder.json", "input": "/abs/x.bin",
//                         "dtype": "int32" | "float32", "shape": [1,256,256,3],
//                         "outputs": ["Identity:0"], "result": "/abs/out.json" } ] }
// Each result JSON holds the outputs ({ name: { shape, values } }) and, when repeats > 0, the
// median milliseconds of `repeats` timed executions after one warm-up.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

function fileHandler(modelPath) {
  return {
    async load() {
      const model = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
      const dir = path.dirname(modelPath);
      const specs = [];
      const buffers = [];
      for (const group of model.weightsManifest) {
        specs.push(...group.weights);
        for (const file of group.paths) buffers.push(fs.readFileSync(path.join(dir, file)));
      }
      const data = Buffer.concat(buffers);
      return {
        modelTopology: model.modelTopology,
        format: model.format,
        generatedBy: model.generatedBy,
        convertedBy: model.convertedBy,
        signature: model.signature,
        userDefinedMetadata: model.userDefinedMetadata,
        weightSpecs: specs,
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      };
    },
  };
}

function readInput(run) {
  const bytes = fs.readFileSync(run.input);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const values = run.dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer);
  return tf.tensor(values, run.shape, run.dtype);
}

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const backend = job.backend ?? 'wasm';
if (backend === 'wasm') {
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  if (job.threads) setThreadsCount(job.threads);
}
await tf.setBackend(backend);
await tf.ready();

const models = new Map();
for (const run of job.runs) {
  if (!models.has(run.model)) models.set(run.model, await tf.loadGraphModel(fileHandler(run.model)));
  const model = models.get(run.model);
  const input = readInput(run);
  const execute = () => {
    const out = model.execute(input, run.outputs);
    return Array.isArray(out) ? out : [out];
  };
  const outputs = execute();
  const result = { backend: tf.getBackend(), outputs: {} };
  for (let i = 0; i < outputs.length; i++) {
    result.outputs[run.outputs[i]] = { shape: outputs[i].shape, values: Array.from(await outputs[i].data()) };
  }
  tf.dispose(outputs);
  if (job.repeats > 0) {
    const times = [];
    for (let r = 0; r < job.repeats; r++) {
      const start = performance.now();
      const out = execute();
      await Promise.all(out.map((t) => t.data()));
      times.push(performance.now() - start);
      tf.dispose(out);
    }
    times.sort((a, b) => a - b);
    result.milliseconds = times[Math.floor(times.length / 2)];
  }
  input.dispose();
  fs.writeFileSync(run.result, JSON.stringify(result));
}
