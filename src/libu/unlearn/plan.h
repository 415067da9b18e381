// libu/unlearn/plan.h — the deterministic sequence of micro-batches of a run. The whole
// plan is built up front from the seed, so the data cursor of a checkpoint is simply the
// number of micro-batches consumed, and a resumed run replays exactly the same data.
#pragma once
#include <vector>

#include "libu/data/batching.h"
#include "libu/unlearn/objectives.h"

namespace libu::unlearn {

struct MicroBatch {
  bool forget = true;
  std::vector<size_t> rows;  // indices into the forget or retain examples
  double factor = 1.0;       // per-sample loss factor (SUGD: −1 forget, +0.5 retain)
};

// Which micro-batches of the plan one optimizer step runs on this rank (docs/distributed.md):
// step s, rank r of W, accumulation A runs plan[s·A·W + k·W + r] for k < A, so the W ranks
// together cover the rows of one process at accumulation A·W.
struct StepSlots {
  int64_t acc = 1, world = 1, rank = 0;
  int64_t global() const { return acc * world; }  // micro-batches per step over all ranks
  size_t index(int64_t s, int64_t k) const { return size_t(s * global() + k * world + rank); }
};

struct UnlearnData {
  std::vector<data::Example> forget, retain;
  int64_t pad_id = 0;
};

struct PlanOptions {
  int64_t batch_size = 1;
  int64_t epochs = 1;
  double retain_ratio = 1.0;  // retain micro-batches per forget micro-batch
  uint64_t seed = 0;
  bool use_retain = true;
  int64_t bucket_window = 0;
};

// Forget batches (shuffled per epoch) interleaved with retain batches at retain_ratio;
// retain cycles through its own shuffled epochs.
std::vector<MicroBatch> interleaved_plan(const UnlearnData& d, const PlanOptions& o);
// SUGD (AILS-NTUA, arXiv 2503.02443): chunks of 32 forget samples, each interleaved with
// 7×32 retain samples. Every micro-batch holds one sample; factors −1 (forget) and +0.5 (retain).
std::vector<MicroBatch> sugd_plan(const UnlearnData& d, const PlanOptions& o, size_t chunk = 32,
                                  size_t retain_per_forget = 7);

// Gradient accumulation (docs/unlearning.md "Gradient accumulation"): the weights of the
// micro-batches plan[first, first + n) (one optimizer step over every rank) so that k
// micro-batches give the gradient of one batch of their rows. Each loss is a mean over a unit
// (scored tokens; rows for a row-mean forget term, forget_term_is_row_mean); micro-batch i gets
// units_i / (mean units of the step's micro-batches of its role, forget or retain). Equal
// units give 1 everywhere (the plain mean of micro-batch losses).
std::vector<double> accumulation_weights(const std::vector<MicroBatch>& plan, size_t first, size_t n,
                                         const UnlearnData& d, Objective o);

// Pads the rows of a micro-batch (dynamic padding) and moves them to `device`.
TensorBatch make_batch(const std::vector<data::Example>& ex, const std::vector<size_t>& rows, int64_t pad_id,
                       c10::Device device);

}  // namespace libu::unlearn
