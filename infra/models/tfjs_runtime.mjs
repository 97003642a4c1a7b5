// The official TensorFlow.js runtime (@tensorflow/tfjs with the WASM backend, or the pure-JS CPU
// backend) loading graph models from disk, shared by the reference fixtures and the benchmark.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

export { tf };

export async function initBackend(backend = 'wasm', threads = 0) {
  if (backend === 'wasm') {
    setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    if (threads > 0) setThreadsCount(threads);
  }
  await tf.setBackend(backend);
  await tf.ready();
  return tf.getBackend();
}

// tf.loadGraphModel with an IOHandler that reads the model JSON and its shards from disk.
export async function loadGraphModel(modelPath) {
  return tf.loadGraphModel({
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
        weightSpecs: specs,
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      };
    },
  });
}

// A raw little-endian tensor file written by the C# side.
export function readTensor(file, dtype, shape) {
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.tensor(dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer), shape, dtype);
}

// Executes the graph and returns { name: { shape, values } } for the requested outputs.
export async function run(model, input, outputs) {
  const result = {};
  const tensors = [].concat(model.execute(input, outputs));
  for (let i = 0; i < outputs.length; i++) {
    result[outputs[i]] = { shape: tensors[i].shape, values: Array.from(await tensors[i].data()) };
  }
  tf.dispose(tensors);
  return result;
}

// Median wall milliseconds of `repeats` executions after one warm-up, outputs read back each time.
export async function time(model, input, outputs, repeats) {
  const once = async () => {
    const start = performance.now();
    const tensors = [].concat(model.execute(input, outputs));
    await Promise.all(tensors.map((t) => t.data()));
    tf.dispose(tensors);
    return performance.now() - start;
  };
  await once();
  const times = [];
  for (let r = 0; r < repeats; r++) times.push(await once());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export const version = tf.version.tfjs;
