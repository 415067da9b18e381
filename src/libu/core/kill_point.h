// libu/core/kill_point.h — named points at which a test can kill the process (SIGKILL, as
// `kill -9` would), to prove that no write leaves a half-written file under a final name and
// that --resume recovers (tests/cli/kill_test.cpp, docs/hardening.md).
//
// LIBU_KILL_AT=NAME[:N] kills the process the N-th time (default 1) it passes
// kill_point("NAME"). Unset, kill_point costs one cached comparison.
#pragma once

namespace libu {

// Points: "checkpoint" (some files of OUT/checkpoints/step-K.tmp written, not all),
// "checkpoint-rename" (complete, not yet renamed), "safetensors" (a file half-written),
// "atomic-write" (a JSON/text file half-written), "model" (OUT/model.tmp-PID complete, not
// renamed), "model-swap" (an existing OUT/model moved aside, the new one not yet in place).
void kill_point(const char* name);

}  // namespace libu
