// libu/eval/mia.cpp — see mia.h.
#include "libu/eval/mia.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/progress.h"
#include "libu/dist/dist.h"
#include "libu/core/auc.h"
#include "libu/eval/gradnorm.h"
#include "libu/eval/mia_attacks.h"
#include "libu/eval/semeval_score.h"
#include "libu/io/jsonl.h"
#include "libu/io/records.h"
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"

namespace libu::eval {

namespace {

std::string k_suffix(double k) { return std::to_string(int(std::lround(k * 100))); }

}  // namespace

// JSON form of a document's NLLs, for gathering the ranks' shares (dist::all_gather_entries).
void to_json(nlohmann::json& j, const DocumentNll& d) {
  j = {{"loss", d.loss}, {"tokens", d.tokens}, {"truncated", d.truncated},
       {"logprobs", d.logprobs}, {"mu", d.mu}, {"var", d.var}};
}
void from_json(const nlohmann::json& j, DocumentNll& d) {
  d.loss = j.at("loss").get<double>();
  d.tokens = j.at("tokens").get<int64_t>();
  d.truncated = j.at("truncated").get<bool>();
  d.logprobs = j.at("logprobs").get<std::vector<double>>();
  d.mu = j.at("mu").get<std::vector<double>>();
  d.var = j.at("var").get<std::vector<double>>();
}

std::vector<DocumentNll> document_nll(model::CausalLM& model, const text::Tokenizer& tok,
                                      const std::vector<std::string>& documents, const MiaOptions& opt,
                                      const std::string& label, const std::vector<std::string>& names) {
  if (opt.max_length < 2) fail(cat("mia max-length is ", opt.max_length), "use at least 2 tokens (default 2048)");
  if (opt.batch_size < 1) fail(cat("batch-size is ", opt.batch_size), "use a batch size of at least 1");
  auto name = [&](size_t i) { return names.empty() ? cat("document ", i) : names[i]; };
  const int64_t vocab = model.config().vocab_size;
  auto enc = tok.encode_batch(documents, /*add_special_tokens=*/false);
  std::vector<DocumentNll> out(documents.size());
  std::vector<std::vector<int64_t>> ids(documents.size());
  for (size_t i = 0; i < documents.size(); ++i) {
    auto& e = enc[i].ids;
    if (e.size() < 2)
      fail(cat(label, ": ", name(i), " has ", e.size(), " token(s); its loss needs at least 2"),
           "drop empty or one-word documents from the MIA file");
    size_t n = std::min<size_t>(e.size(), size_t(opt.max_length));  // HF truncation: keep the head
    out[i].truncated = n < e.size();
    out[i].tokens = int64_t(n);
    for (size_t t = 0; t < n; ++t) {
      if (int64_t(e[t]) >= vocab)
        fail(cat(label, ": token id ", e[t], " of ", name(i), " is outside the model's vocabulary (vocab_size ",
                 vocab, ")"),
             "the tokenizer.json does not belong to this model");
      ids[i].push_back(int64_t(e[t]));
    }
  }
  std::vector<size_t> lengths;
  for (auto& r : ids) lengths.push_back(r.size());

  torch::NoGradGuard ng;
  const bool was_training = model.training();
  model.set_training(false);
  const auto dev = model.device();
  Progress bar(label, int64_t(documents.size()), "docs");
  // Longest first (each batch pads little), batch j on rank j mod world: dist::for_each_owned_batch.
  auto mine = dist::for_each_owned_batch(lengths, size_t(opt.batch_size), [&](const std::vector<size_t>& rows) {
    const int64_t B = int64_t(rows.size()), L = int64_t(ids[rows[0]].size());
    // Right padding: ids/labels [B, L], mask [B, L] (1 = token); padded labels are ignored.
    auto input = torch::zeros({B, L}, torch::kLong);
    auto labels = torch::full({B, L}, model::kIgnoreIndex, torch::kLong);
    auto mask = torch::zeros({B, L}, torch::kLong);
    for (int64_t b = 0; b < B; ++b) {
      const auto& row = ids[rows[size_t(b)]];
      auto t = torch::tensor(row, torch::kLong);
      const int64_t n = int64_t(row.size());
      input[b].narrow(0, 0, n).copy_(t);
      labels[b].narrow(0, 0, n).copy_(t);
      mask[b].narrow(0, 0, n).fill_(1);
    }
    // logp, mu, var [B, L-1]: model::token_scores, the one per-token scoring (lm_head.h).
    auto sc = model::token_scores(model, input.to(dev), mask.to(dev), labels.to(dev), false, true);
    auto logp_cpu = sc.logp.to(torch::kDouble).cpu().contiguous();
    auto mu_cpu = sc.mu.cpu().contiguous(), var_cpu = sc.var.cpu().contiguous();
    for (int64_t b = 0; b < B; ++b) {
      DocumentNll& d = out[rows[size_t(b)]];
      const int64_t n = d.tokens - 1;  // scored positions
      const double* lpp = logp_cpu[b].data_ptr<double>();
      d.logprobs.assign(lpp, lpp + n);
      double sum = 0;
      for (double v : d.logprobs) sum += v;
      d.loss = -sum / double(n);
      // Moments of log p under the next-token distribution (Min-K%++, Zhang et al. 2024).
      const double *mup = mu_cpu[b].data_ptr<double>(), *varp = var_cpu[b].data_ptr<double>();
      d.mu.assign(mup, mup + n);
      d.var.assign(varp, varp + n);
      if (!std::isfinite(d.loss))
        fail(cat(label, ": the loss of ", name(rows[size_t(b)]), " is not finite (", d.loss, ")"),
             "the model produces NaN/inf logits; check its weights or use --dtype fp32");
    }
    bar.advance(B * dist::world_size());
  });
  bar.finish();
  model.set_training(was_training);
  dist::all_gather_entries(out, mine);
  return out;
}

std::vector<std::pair<std::string, double>> mia_statistics(const DocumentNll& d, const std::string& document,
                                                           const std::vector<double>& ks) {
  std::vector<std::pair<std::string, double>> s;
  s.emplace_back("loss", d.loss);
  s.emplace_back("zlib", zlib_ratio(d.loss, document));
  for (double k : ks) s.emplace_back("min_k_" + k_suffix(k), min_k_percent(d.logprobs, k));
  for (double k : ks) s.emplace_back("min_k_plus_plus_" + k_suffix(k), min_k_plus_plus(d.logprobs, d.mu, d.var, k));
  return s;
}

namespace {

// ids of an MIA file: `id` as a string or an integer, else "<label>-<line>".
std::vector<std::string> read_ids(const std::string& path, const std::string& label) {
  std::vector<std::string> ids;
  for (const auto& o : io::read_jsonl(path)) {
    auto it = o.find("id");
    if (it != o.end() && it->is_string())
      ids.push_back(it->get<std::string>());
    else if (it != o.end() && it->is_number_integer())
      ids.push_back(std::to_string(it->get<int64_t>()));
    else
      ids.push_back(cat(label, "-", ids.size() + 1));
  }
  return ids;
}

}  // namespace

MiaRun run_mia(model::CausalLM& model, const text::Tokenizer& tok, const std::string& dir, const MiaOptions& opt) {
  if (!is_directory(dir))
    fail(cat("--mia ", dir, ": not a folder"), "give a folder holding member.jsonl and nonmember.jsonl");
  MiaRun run;
  run.max_length = opt.max_length;
  MiaLosses losses;
  std::map<std::string, std::pair<std::vector<int>, std::vector<double>>> by_stat, by_ref;  // labels, scores
  for (const char* label : {"member", "nonmember"}) {
    const std::string path = cat(dir, "/", label, ".jsonl");
    if (!path_exists(path))
      fail(cat(dir, ": missing ", label, ".jsonl"), "the MIA folder needs member.jsonl and nonmember.jsonl");
    auto docs = io::load_documents(path, "document");
    if (docs.empty()) fail(cat(path, ": no documents"), "an MIA file needs at least one {\"document\": ...} line");
    auto ids = read_ids(path, label);
    auto nll = document_nll(model, tok, docs, opt, cat("mia ", label), ids);
    std::vector<DocumentNll> ref;
    if (opt.reference) ref = document_nll(*opt.reference, tok, docs, opt, cat("mia reference ", label), ids);
    std::vector<double> gn;
    if (opt.gradnorm_p > 0) gn = gradnorm_statistics(model, tok, docs, opt, opt.gradnorm_p, cat("mia ", label));
    const int member = std::string(label) == "member" ? 1 : 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      MiaDocument d;
      d.id = ids[i];
      d.label = label;
      d.nll = std::move(nll[i]);
      d.stats = mia_statistics(d.nll, docs[i], opt.ks);
      if (opt.reference) {
        d.stats.emplace_back("reference", d.nll.loss - ref[i].loss);
        for (auto& [k, v] : mia_statistics(ref[i], docs[i], opt.ks)) {
          by_ref[k].first.push_back(member);
          by_ref[k].second.push_back(-v);
        }
      }
      if (!gn.empty()) d.stats.emplace_back("gradnorm", gn[i]);
      if (d.nll.truncated) ++run.truncated;
      (member ? losses.member : losses.nonmember).push_back(d.nll.loss);
      for (auto& [k, v] : d.stats) {
        by_stat[k].first.push_back(member);
        by_stat[k].second.push_back(-v);
      }
      run.docs.push_back(std::move(d));
    }
  }
  for (auto& [k, ls] : by_stat) run.auc[k] = roc_auc(ls.first, ls.second);
  run.auc["loss"] = mia_loss_auc(losses);  // the official definition (same value)
  for (auto& [k, ls] : by_ref) {
    run.reference_auc[k] = roc_auc(ls.first, ls.second);
    if (run.reference_auc[k] > 0) run.privleak[k] = privleak(run.auc[k], run.reference_auc[k]);
  }
  return run;
}

std::vector<nlohmann::json> mia_rows_json(const MiaRun& r) {
  std::vector<nlohmann::json> rows;
  for (auto& d : r.docs) {
    nlohmann::json j = {{"id", d.id}, {"label", d.label}, {"loss", d.nll.loss}, {"tokens", d.nll.tokens},
                        {"truncated", d.nll.truncated}};
    for (auto& [k, v] : d.stats)
      if (k != "loss") j[k] = v;
    rows.push_back(std::move(j));
  }
  return rows;
}

nlohmann::json mia_summary_json(const MiaRun& r) {
  size_t members = 0;
  for (auto& d : r.docs) members += d.label == "member";
  nlohmann::json auc = nlohmann::json::object();
  for (auto& [k, v] : r.auc) auc[k] = v;
  nlohmann::json j = {{"auc", auc},
                      {"documents", {{"member", members}, {"nonmember", r.docs.size() - members}}},
                      {"truncated", r.truncated},
                      {"max_length", r.max_length}};
  if (!r.reference_auc.empty()) {
    j["reference_auc"] = r.reference_auc;
    j["privleak"] = r.privleak;
  }
  return j;
}

}  // namespace libu::eval
