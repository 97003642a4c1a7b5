// Builds the reference fixture the model tests compare against: the official TF.js runtime
// (WASM backend) runs NanoDet and MoveNet on the exact inputs the C# side dumped
// (`pipeline dev reference-inputs`), and NanoDet's outputs are decoded here, in plain JS,
// independently of the C# decoder.
//
//   node make_reference_fixtures.mjs MANIFEST.json OUT.json      (see make_reference_fixtures.sh)
import fs from 'node:fs';
import { initBackend, loadGraphModel, readTensor, run, version } from './tfjs_runtime.mjs';

const SCORE_THRESHOLD = 0.5;
const NMS_IOU = 0.6;
const BINS = 11;
const INPUT = 416;

const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const backend = await initBackend('wasm', 2);
const nanodet = await loadGraphModel(manifest.nanodet);
const thunder = await loadGraphModel(manifest.thunder);
const lightning = await loadGraphModel(manifest.lightning);

const sum = (file, Type) => {
  const b = fs.readFileSync(file);
  const values = new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  let s = 0;
  for (const v of values) s += v;
  return s;
};

const iou = (a, b) => {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
};

// GFL decoding of NanoDet-m: per prior, class 0 score; per side a softmax over 11 bins whose
// expectation times the stride is the distance from the prior centre ((i + 0.5) * stride).
function decodeNanoDet(outputs, letterbox, width, height) {
  const levels = { 2704: 8, 676: 16, 169: 32 };
  const scores = {};
  const distributions = {};
  for (const value of Object.values(outputs)) {
    const [, priors, channels] = value.shape;
    (channels === 80 ? scores : distributions)[priors] = value.values;
  }
  const candidates = [];
  const top = [];
  for (const [priorsText, stride] of Object.entries(levels)) {
    const priors = Number(priorsText);
    const side = INPUT / stride;
    for (let p = 0; p < priors; p++) {
      const score = scores[priors][p * 80];
      top.push({ stride, prior: p, score });
      if (score < SCORE_THRESHOLD) continue;
      const d = [];
      for (let s = 0; s < 4; s++) {
        let max = -Infinity;
        for (let k = 0; k < BINS; k++) max = Math.max(max, distributions[priors][p * 44 + s * BINS + k]);
        let total = 0;
        let expectation = 0;
        for (let k = 0; k < BINS; k++) {
          const e = Math.exp(distributions[priors][p * 44 + s * BINS + k] - max);
          total += e;
          expectation += k * e;
        }
        d.push((expectation / total) * stride);
      }
      const cx = ((p % side) + 0.5) * stride;
      const cy = (Math.floor(p / side) + 0.5) * stride;
      const toFrame = (v, pad) => (v - pad) / letterbox.scale;
      const box = [
        Math.min(Math.max(toFrame(cx - d[0], letterbox.padX), 0), width),
        Math.min(Math.max(toFrame(cy - d[1], letterbox.padY), 0), height),
        Math.min(Math.max(toFrame(cx + d[2], letterbox.padX), 0), width),
        Math.min(Math.max(toFrame(cy + d[3], letterbox.padY), 0), height),
      ];
      candidates.push({ box, score });
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  const kept = [];
  for (const c of candidates) if (kept.every((k) => iou(k.box, c.box) <= NMS_IOU)) kept.push(c);
  top.sort((a, b) => b.score - a.score);
  return { persons: kept, topScores: top.slice(0, 10) };
}

const fixture = { tfjs: version, backend, video: manifest.video, frames: [] };
for (const frame of manifest.frames) {
  const input = readTensor(frame.nanodetInput, 'float32', [1, 3, INPUT, INPUT]);
  const outputs = await run(nanodet, input, ['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0', 'Identity_4:0', 'Identity_5:0']);
  input.dispose();
  const entry = {
    frame: frame.frame,
    nanodet: { inputSum: sum(frame.nanodetInput, Float32Array), ...decodeNanoDet(outputs, frame.letterbox, frame.width, frame.height) },
    crops: [],
  };
  for (const crop of frame.crops) {
    const result = { region: crop.region };
    for (const [name, model, file, size] of [['thunder', thunder, crop.thunderInput, 256], ['lightning', lightning, crop.lightningInput, 192]]) {
      const x = readTensor(file, 'int32', [1, size, size, 3]);
      const out = await run(model, x, ['Identity:0']);
      x.dispose();
      result[name] = { inputSum: sum(file, Int32Array), keypoints: out['Identity:0'].values };
    }
    entry.crops.push(result);
  }
  fixture.frames.push(entry);
}
fs.writeFileSync(process.argv[3], JSON.stringify(fixture, null, 1) + '\n');
console.log(`wrote ${process.argv[3]}: ${fixture.frames.length} frames, ${fixture.frames.reduce((n, f) => n + f.crops.length, 0)} crops (tfjs ${version}, ${backend})`);
