// libu/eval/mmlu.cpp — see mmlu.h.
#include "libu/eval/mmlu.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/progress.h"
#include "libu/dist/dist.h"
#include "libu/model/generate.h"

namespace libu::eval {

namespace fsys = std::filesystem;

static const char* kLetters[4] = {"A", "B", "C", "D"};

std::string mmlu_format_subject(const std::string& subject) {
  std::string s;
  size_t start = 0;
  while (true) {  // Python: for entry in subject.split("_"): s += " " + entry
    size_t p = subject.find('_', start);
    s += " " + subject.substr(start, p == std::string::npos ? std::string::npos : p - start);
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return s;
}

std::string mmlu_format_example(const io::MmluQuestion& q, bool include_answer) {
  std::string s = q.question;
  for (int j = 0; j < 4; ++j) s += cat("\n", kLetters[j], ". ", q.choices[size_t(j)]);
  s += "\nAnswer:";
  if (include_answer) s += cat(" ", kLetters[q.answer], "\n\n");
  return s;
}

std::string mmlu_prompt(const std::string& subject, const std::vector<io::MmluQuestion>& dev, int k,
                        const io::MmluQuestion& question) {
  std::string s = cat("The following are multiple choice questions (with answers) about ",
                      mmlu_format_subject(subject), ".\n\n");
  for (int i = 0; i < k && size_t(i) < dev.size(); ++i) s += mmlu_format_example(dev[size_t(i)], true);
  return s + mmlu_format_example(question, false);
}

std::array<int64_t, 4> mmlu_choice_ids(const text::Tokenizer& tok) {
  std::array<int64_t, 4> ids{};
  for (int j = 0; j < 4; ++j) {
    auto e = tok.encode_ids(cat(" ", kLetters[j]), false);
    if (e.size() != 1)
      fail(cat("MMLU: the tokenizer encodes \" ", kLetters[j], "\" as ", e.size(), " tokens, not 1"),
           "MMLU reads the next-token logit of \" A\"..\" D\"; this needs a tokenizer where each is one token "
           "(BPE with a leading-space token, as OLMo/Llama/GPT-2)");
    ids[size_t(j)] = int64_t(e[0]);
  }
  return ids;
}

std::vector<std::string> mmlu_subjects(const std::string& dir, const std::vector<std::string>& wanted) {
  const std::string test_dir = dir + "/test";
  if (!is_directory(test_dir))
    fail(cat("--mmlu ", dir, ": no test/ folder"),
         "the MMLU folder needs test/<subject>_test.csv (and dev/<subject>_dev.csv for few-shot)");
  std::vector<std::string> all;
  const std::string suffix = "_test.csv";
  for (auto& e : fsys::directory_iterator(test_dir)) {
    std::string f = e.path().filename().string();
    if (f.size() > suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0)
      all.push_back(f.substr(0, f.size() - suffix.size()));
  }
  std::sort(all.begin(), all.end());
  if (all.empty())
    fail(cat("--mmlu ", dir, ": no subject in ", test_dir, " (no file named <subject>_test.csv)"),
         "point --mmlu at the MMLU data folder (holding dev/ and test/), e.g. abstract_algebra_test.csv");
  if (wanted.empty()) return all;
  std::vector<std::string> out;
  for (auto& w : wanted) {
    if (!std::binary_search(all.begin(), all.end(), w)) {
      std::string avail;
      for (size_t i = 0; i < all.size() && i < 8; ++i) avail += (i ? ", " : "") + all[i];
      if (all.size() > 8) avail += cat(", ... (", all.size(), " in all)");
      fail(cat("--mmlu-subjects: no subject '", w, "' in ", test_dir, " (no ", w, "_test.csv)"),
           cat("subjects are file names without _test.csv: ", avail));
    }
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  }
  return out;
}

MmluResult run_mmlu(model::CausalLM& model, const text::Tokenizer& tok, const std::string& dir,
                    const MmluOptions& opt) {
  if (opt.shots < 0) fail(cat("--mmlu-shots ", opt.shots), "use 0 or 5");
  if (opt.batch_size < 1) fail(cat("batch-size is ", opt.batch_size), "use a batch size of at least 1");
  const auto subjects = mmlu_subjects(dir, opt.subjects);
  const auto choice_ids = mmlu_choice_ids(tok);
  const int64_t vocab = model.config().vocab_size;
  for (auto id : choice_ids)
    if (id >= vocab)
      fail(cat("MMLU: answer token id ", id, " is outside the model's vocabulary (", vocab, ")"),
           "the tokenizer.json does not belong to this model");
  int64_t pad = 0;
  if (model.config().pad_token_id)
    pad = *model.config().pad_token_id;
  else if (tok.pad_id())
    pad = int64_t(*tok.pad_id());

  // Prompts of every subject, then one batched pass over all of them.
  struct Item {
    size_t subject;
    std::vector<int64_t> ids;
    int answer;
  };
  std::vector<Item> items;
  MmluResult res;
  res.shots = opt.shots;
  for (size_t si = 0; si < subjects.size(); ++si) {
    const std::string& s = subjects[si];
    auto test = io::read_mmlu_csv(dir + "/test/" + s + "_test.csv");
    if (opt.limit > 0 && int64_t(test.size()) > opt.limit) test.resize(size_t(opt.limit));
    std::vector<io::MmluQuestion> dev;
    if (opt.shots > 0) {
      const std::string dev_path = dir + "/dev/" + s + "_dev.csv";
      if (!path_exists(dev_path))
        fail(cat("--mmlu ", dir, ": missing ", dev_path, " for ", opt.shots, "-shot prompts"),
             "add the dev split or use --mmlu-shots 0");
      dev = io::read_mmlu_csv(dev_path);
      if (dev.size() < size_t(opt.shots))
        log_warn("MMLU ", s, ": only ", dev.size(), " dev examples for ", opt.shots, " shots");
    }
    MmluSubjectResult sr;
    sr.subject = s;
    sr.min_shots = opt.shots;
    for (auto& q : test) {
      // open-instruct: reduce k until the prompt (without special tokens) is ≤ 2048 tokens.
      int k = std::min<int>(opt.shots, int(dev.size()));
      std::string prompt = mmlu_prompt(s, dev, k, q);
      while (k > 0 && int64_t(tok.encode_ids(prompt, false).size()) > opt.max_prompt_tokens) {
        --k;
        prompt = mmlu_prompt(s, dev, k, q);
      }
      sr.min_shots = std::min(sr.min_shots, k);
      // The forward pass tokenizes with the tokenizer's special tokens (open-instruct's
      // default add_special_tokens=True: BOS for Llama, nothing for OLMo).
      Item it{si, {}, q.answer};
      for (uint32_t t : tok.encode_ids(prompt, true)) {
        if (int64_t(t) >= vocab)
          fail(cat("MMLU ", s, ": token id ", t, " is outside the model's vocabulary (", vocab, ")"),
               "the tokenizer.json does not belong to this model");
        it.ids.push_back(int64_t(t));
      }
      items.push_back(std::move(it));
    }
    sr.questions = test.size();
    res.subjects.push_back(std::move(sr));
  }

  std::vector<size_t> lengths;
  for (auto& it : items) lengths.push_back(it.ids.size());
  std::vector<int> pred(items.size(), 0);
  torch::NoGradGuard ng;
  const bool was_training = model.training();
  model.set_training(false);
  const auto dev = model.device();
  auto cand = torch::tensor(std::vector<int64_t>(choice_ids.begin(), choice_ids.end()), torch::kLong).to(dev);  // [4]
  Progress bar(cat("mmlu ", opt.shots, "-shot"), int64_t(items.size()), "q");
  // Longest first, batch j on rank j mod world (dist::for_each_owned_batch).
  auto mine = dist::for_each_owned_batch(lengths, size_t(opt.batch_size), [&](const std::vector<size_t>& qs) {
    std::vector<std::vector<int64_t>> rows;
    for (size_t i : qs) rows.push_back(items[i].ids);
    auto [ids, mask] = model::left_pad(rows, pad);  // [B, L] each
    ids = ids.to(dev);
    mask = mask.to(dev);
    auto pos = (mask.cumsum(1) - 1).clamp_min(0);                                   // [B, L]
    auto logits = model.forward(ids, mask, pos, nullptr, /*last_only=*/true);       // [B, 1, V]
    auto choice_logits = logits.select(1, 0).index_select(1, cand);                 // [B, 4]
    auto best = choice_logits.argmax(-1).to(torch::kCPU);                           // [B]
    for (size_t k = 0; k < qs.size(); ++k) pred[qs[k]] = int(best[int64_t(k)].item<int64_t>());
    bar.advance(int64_t(qs.size()) * dist::world_size());
  });
  bar.finish();
  model.set_training(was_training);
  dist::all_gather_entries(pred, mine);

  for (size_t i = 0; i < items.size(); ++i) {
    auto& sr = res.subjects[items[i].subject];
    sr.predictions.push_back(pred[i]);
    if (pred[i] == items[i].answer) ++sr.correct;
  }
  for (auto& sr : res.subjects) {
    sr.accuracy = sr.questions ? double(sr.correct) / double(sr.questions) : 0.0;
    res.questions += sr.questions;
    res.correct += sr.correct;
  }
  if (res.questions == 0) fail(cat("--mmlu ", dir, ": the selected subjects have no test question"));
  res.accuracy = double(res.correct) / double(res.questions);
  return res;
}

nlohmann::json mmlu_to_json(const MmluResult& r) {
  nlohmann::json subjects = nlohmann::json::object();
  for (auto& s : r.subjects)
    subjects[s.subject] = {{"acc", s.accuracy}, {"questions", s.questions}, {"correct", s.correct},
                           {"min_shots", s.min_shots}};
  return {{"shots", r.shots},          {"average_acc", r.accuracy}, {"questions", r.questions},
          {"correct", r.correct},      {"subjects", subjects}};
}

}  // namespace libu::eval
