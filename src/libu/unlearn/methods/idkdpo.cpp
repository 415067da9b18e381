// Baseline `idkdpo` (TOFU, Maini et al. 2024; OpenUnlearning's IdkDPO): DPO (Rafailov et al.
// 2023) on the forget rows with a refusal ("I don't know") as the preferred answer y_w and the
// forget answer as the rejected one y_l:
//   L_f = −(2/β) · mean_i log σ(β·[(log π_θ(y_w|x) − log π_ref(y_w|x)) − (log π_θ(y_l|x) − log π_ref(y_l|x))])
// with summed token log-probs and π_ref the adapter-off model; retain rows add w_r·NLL as in gd.
// Refusals come from --idk-file (one per line) or the small set below; each forget row gets the
// one its prompt hashes to, so a row always meets the same refusal.
#include "libu/unlearn/methods/method.h"

#include <fstream>

#include "libu/core/error.h"
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"

namespace libu::unlearn {

std::vector<std::string> default_idk_answers() {
  return {"I don't know.", "I'm not sure about that.", "I have no information on that.",
          "I can't answer that.", "That is not something I know.", "I don't have any details about this.",
          "I'm unable to help with that.", "Sorry, I don't know the answer."};
}

std::vector<std::vector<int64_t>> idk_answer_ids(const text::Tokenizer& tok, const std::string& file,
                                                 std::optional<int64_t> eos) {
  std::vector<std::string> texts;
  if (file.empty()) {
    texts = default_idk_answers();
  } else {
    std::ifstream in(file);
    if (!in) fail(cat("--idk-file ", file, ": cannot be read"), "give a text file with one refusal answer per line");
    for (std::string line; std::getline(in, line);)
      if (line.find_first_not_of(" \t\r") != std::string::npos) texts.push_back(line);
    if (texts.empty()) fail(cat("--idk-file ", file, ": no answers"), "put one refusal answer per non-empty line");
  }
  std::vector<std::vector<int64_t>> out;
  for (auto& t : texts) {
    // A leading space, as an answer continues its prompt (encode(input + output), no separator).
    auto ids = tok.encode_ids((t.front() == ' ' ? "" : " ") + t, false);
    std::vector<int64_t> v(ids.begin(), ids.end());
    if (eos) v.push_back(*eos);
    out.push_back(std::move(v));
  }
  return out;
}

TensorBatch idk_batch(const TensorBatch& b, const std::vector<std::vector<int64_t>>& answers) {
  if (answers.empty()) fail_internal("idk_batch: no refusal answers");
  auto ids = b.input_ids.cpu(), lab = b.labels.cpu();  // [B, T] (one host copy per forget micro-batch)
  auto mask = b.attention_mask.defined() ? b.attention_mask.cpu() : torch::ones_like(ids);
  const int64_t B = ids.size(0);
  std::vector<std::vector<int64_t>> rows, labels;
  int64_t L = 0;
  for (int64_t r = 0; r < B; ++r) {
    int64_t p = 0, len = mask[r].sum().item<int64_t>();
    while (p < len && lab[r][p].item<int64_t>() == model::kIgnoreIndex) ++p;  // the prompt: before the first label
    std::vector<int64_t> row(ids[r].data_ptr<int64_t>(), ids[r].data_ptr<int64_t>() + p);
    uint64_t h = 1469598103934665603ull;  // FNV-1a over the prompt's ids
    for (int64_t x : row) h = (h ^ uint64_t(x)) * 1099511628211ull;
    const auto& a = answers[h % answers.size()];
    std::vector<int64_t> l(row.size(), model::kIgnoreIndex);
    row.insert(row.end(), a.begin(), a.end());
    l.insert(l.end(), a.begin(), a.end());
    L = std::max<int64_t>(L, int64_t(row.size()));
    rows.push_back(std::move(row)), labels.push_back(std::move(l));
  }
  auto o = torch::TensorOptions().dtype(torch::kLong);
  auto in = torch::zeros({B, L}, o), am = torch::zeros({B, L}, o), lb = torch::full({B, L}, model::kIgnoreIndex, o);
  for (int64_t r = 0; r < B; ++r) {
    const int64_t n = int64_t(rows[size_t(r)].size());
    in[r].narrow(0, 0, n).copy_(torch::tensor(rows[size_t(r)], o));
    lb[r].narrow(0, 0, n).copy_(torch::tensor(labels[size_t(r)], o));
    am[r].narrow(0, 0, n).fill_(1);
  }
  TensorBatch w;
  auto dev = b.input_ids.device();
  w.input_ids = in.to(dev), w.attention_mask = am.to(dev), w.labels = lb.to(dev);
  w.loss_tokens = (lb != model::kIgnoreIndex).sum().item<int64_t>();
  return w;
}

std::unique_ptr<Method> make_idkdpo() { return std::make_unique<ObjectiveMethod>("idkdpo", Objective::IdkDPO); }

}  // namespace libu::unlearn
