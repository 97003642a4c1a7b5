#!/usr/bin/env bash
# Regenerates tests/Pipeline.Stages.Tests/Fixtures/tfjs_reference.json: the C# side dumps the exact
# model inputs for frames of the sample video, the official TF.js runtime computes the outputs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VIDEO="${1:-/usr/share/doc/opencv-doc/examples/data/vtest.avi}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$ROOT/run.sh" dev reference-inputs --video "$VIDEO" --frames 60,240,420,600 --out "$WORK"
(cd "$ROOT/infra/models" && node make_reference_fixtures.mjs "$WORK/manifest.json" "$ROOT/tests/Pipeline.Stages.Tests/Fixtures/tfjs_reference.json")
