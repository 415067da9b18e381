// libu/eval/generation_eval.cpp — see generation_eval.h.
#include "libu/eval/generation_eval.h"

#include <algorithm>
#include <numeric>

#include "libu/core/error.h"
#include "libu/core/progress.h"
#include "libu/dist/dist.h"
#include "libu/model/generate.h"

namespace libu::eval {

data::EncodeFn encoder_of(const text::Tokenizer& tok) {
  return [&tok](const std::string& s) {
    auto ids = tok.encode_ids(s, false);
    return std::vector<int64_t>(ids.begin(), ids.end());
  };
}

SpecialIds special_ids(const model::CausalLM& model, const text::Tokenizer& tok) {
  const auto& cfg = model.config();
  SpecialIds s;
  s.eos = cfg.eos_token_ids;
  if (s.eos.empty() && tok.eos_id()) s.eos = {int64_t(*tok.eos_id())};
  if (s.eos.empty())
    fail(cat(model.source_dir(), ": no EOS token id in config.json, generation_config.json or tokenizer.json"),
         "add \"eos_token_id\" to the model's config.json");
  if (cfg.pad_token_id)
    s.pad = *cfg.pad_token_id;
  else if (tok.pad_id())
    s.pad = int64_t(*tok.pad_id());
  else
    s.pad = s.eos.front();
  return s;
}

namespace {
// With several ranks: the batches generate_greedy would form (longest prompt first, stable),
// batch j on rank j mod world, then every row gathered back, so each row is generated in the
// same batch as in one process (identical outputs, docs/distributed.md).
std::vector<std::vector<int64_t>> generate_sharded(model::CausalLM& model, const std::vector<std::vector<int64_t>>& ids,
                                                   const model::GenerateOptions& g, Progress& bar) {
  std::vector<size_t> lengths;
  for (auto& r : ids) lengths.push_back(r.size());
  std::vector<std::vector<int64_t>> out(ids.size());
  auto mine = dist::for_each_owned_batch(lengths, size_t(std::max<int64_t>(1, g.batch_size)), [&](const std::vector<size_t>& rows) {
    std::vector<std::vector<int64_t>> batch;
    for (size_t i : rows) batch.push_back(ids[i]);
    auto res = model::generate_greedy(model, batch, g, nullptr);
    for (size_t k = 0; k < rows.size(); ++k) out[rows[k]] = std::move(res[k]);
    bar.advance(int64_t(rows.size()) * dist::world_size());
  });
  dist::all_gather_entries(out, mine);
  return out;
}
}  // namespace

std::vector<std::string> generate_texts(model::CausalLM& model, const text::Tokenizer& tok,
                                        const std::vector<std::string>& prompts,
                                        const GenerationOptions& opt, const std::string& label,
                                        const std::vector<std::string>& prompt_names) {
  if (opt.max_new_tokens < 1)
    fail(cat("max-new-tokens is ", opt.max_new_tokens), "use a value of at least 1 (the official setting is 256)");
  if (opt.batch_size < 1) fail(cat("batch-size is ", opt.batch_size), "use a batch size of at least 1");
  const int64_t vocab = model.config().vocab_size;
  std::vector<std::vector<int64_t>> ids(prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) {
    // Raw input, no BOS/EOS (add_special_tokens=False), as the official script for OLMo.
    for (uint32_t t : tok.encode_ids(prompts[i], false)) {
      if (int64_t(t) >= vocab)
        fail(cat(label, ": token id ", t, " of ", prompt_names.empty() ? cat("prompt ", i) : prompt_names[i],
                 " is outside the model's vocabulary (vocab_size ", vocab, ")"),
             "the tokenizer.json does not belong to this model");
      ids[i].push_back(int64_t(t));
    }
    if (ids[i].empty())
      fail(cat(label, ": ", prompt_names.empty() ? cat("prompt ", i) : cat("row '", prompt_names[i], "'"),
               " has an empty input"),
           "every row needs a non-empty `input` to generate from");
  }
  SpecialIds sp = special_ids(model, tok);
  model::GenerateOptions g;
  g.max_new_tokens = opt.max_new_tokens;
  g.batch_size = opt.batch_size;
  g.eos_ids = sp.eos;
  g.pad_id = sp.pad;
  Progress bar(label, int64_t(prompts.size()), "rows");
  std::vector<std::vector<int64_t>> out;
  if (dist::active()) {
    out = generate_sharded(model, ids, g, bar);
  } else {
    int64_t shown = 0;
    out = model::generate_greedy(model, ids, g, [&](int64_t done, int64_t) {
      bar.advance(done - shown);
      shown = done;
    });
  }
  bar.finish();
  std::vector<std::string> texts;
  texts.reserve(out.size());
  for (auto& row : out) {
    std::vector<uint32_t> u(row.begin(), row.end());
    texts.push_back(tok.decode(u, /*skip_special_tokens=*/true, /*clean_up_tokenization_spaces=*/true));
  }
  return texts;
}

std::vector<PredictionRow> generate_predictions(model::CausalLM& model, const text::Tokenizer& tok,
                                                const std::vector<io::Record>& records,
                                                const GenerationOptions& opt, const std::string& label) {
  std::vector<std::string> prompts, names;
  for (auto& r : records) {
    prompts.push_back(r.input);
    names.push_back(r.id);
  }
  auto gens = generate_texts(model, tok, prompts, opt, label, names);
  std::vector<PredictionRow> rows;
  for (size_t i = 0; i < records.size(); ++i) {
    PredictionRow p;
    p.id = records[i].id;
    p.task = records[i].task;
    p.output = records[i].output;
    p.generation = std::move(gens[i]);
    rows.push_back(std::move(p));
  }
  return rows;
}

}  // namespace libu::eval
