// python/libu_module.cpp — the `libu._libu` extension: the C++ core for Python, with
// torch.Tensor in and out. It links the same Debian libtorch 1.13 that python3-torch uses, so
// tensors cross without a copy and autograd graphs built here can be backpropagated from
// Python (docs/python.md).
//
// Long calls (encode_batch, forward, generate, unlearn, eval_run) release the GIL. A libu::Error
// becomes libu.Error (a ValueError carrying .message and .hint, defined in libu/__init__.py),
// and no C++ exception reaches the interpreter untranslated.
#include <torch/extension.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/version.h"
#include "libu/eval/generation_eval.h"
#include "libu/eval/semeval_score.h"
#include "libu/io/table.h"
#include "libu/model/causal_lm.h"
#include "libu/model/peft_io.h"
#include "libu/model/runtime.h"
#include "libu/text/tokenizer.h"

namespace py = pybind11;
using namespace libu;

namespace {

// JSON → Python objects through the json module (exact for numbers and strings).
py::object to_py(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }
py::object to_py(const nlohmann::ordered_json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

// ---- Tokenizer ----

struct PyTokenizer {
  std::shared_ptr<text::Tokenizer> tok;
};

std::vector<uint32_t> as_ids(const std::vector<int64_t>& ids) {
  std::vector<uint32_t> out;
  for (int64_t i : ids) {
    if (i < 0 || i > int64_t(UINT32_MAX)) fail(cat("token id ", i, " is out of range"), "ids are 0..vocab_size-1");
    out.push_back(uint32_t(i));
  }
  return out;
}

// ---- Model ----

struct PyModel {
  std::shared_ptr<model::CausalLM> m;
  std::shared_ptr<text::Tokenizer> tok;  // the model folder's tokenizer.json (null when absent)
};

PyModel load_model(const std::string& path, const std::string& dtype, const std::string& device,
                   const std::optional<std::string>& adapter) {
  model::LoadOptions lo;
  if (dtype != "auto") lo.dtype = model::parse_dtype(dtype);
  lo.device = model::parse_device(device);
  PyModel pm;
  pm.m = model::CausalLM::load(path, lo);
  if (adapter) model::load_adapter(*pm.m, *adapter);
  if (path_exists(path + "/tokenizer.json"))
    pm.tok = std::make_shared<text::Tokenizer>(text::Tokenizer::from_model_dir(path));
  return pm;
}

// logits [B, T, V] fp32. Positions follow the mask (left or right padding both work).
torch::Tensor forward(PyModel& pm, const torch::Tensor& ids, const std::optional<torch::Tensor>& mask) {
  if (ids.dim() != 2) fail(cat("forward: input_ids has ", ids.dim(), " dimensions"), "pass a [batch, tokens] tensor");
  auto dev = pm.m->device();
  torch::Tensor x = ids.to(dev, torch::kLong), am, pos;
  if (mask) {
    if (!mask->sizes().equals(ids.sizes())) fail("forward: attention_mask and input_ids differ in shape");
    am = mask->to(dev, torch::kLong);
    pos = (am.cumsum(1) - 1).clamp_min(0);  // [B, T]
  }
  return pm.m->forward(x, am, pos);
}

py::dict lora_parameters(PyModel& pm) {
  if (!pm.m->lora()) fail("the model has no LoRA adapter", "load one with adapter=..., or call add_lora()");
  py::dict d;
  for (auto& [k, t] : pm.m->lora()->named_parameters()) d[py::str(k)] = t;
  return d;
}

// ---- the CLI commands, with Python keyword arguments as flags ----

// key=value → --key value (underscores to dashes); True → --key, False → --no-key; lists
// repeat the flag; None is skipped.
std::vector<std::string> flags(const py::dict& kw) {
  std::vector<std::string> a;
  for (auto& [k, v] : kw) {
    std::string name = py::str(k);
    std::replace(name.begin(), name.end(), '_', '-');
    if (v.is_none()) continue;
    if (py::isinstance<py::bool_>(v)) {
      a.push_back((v.cast<bool>() ? "--" : "--no-") + name);
    } else if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
      for (auto& e : v) a.push_back("--" + name), a.push_back(py::str(e));
    } else {
      a.push_back("--" + name), a.push_back(py::str(v));
    }
  }
  return a;
}

void run_command(const std::string& name, const std::vector<std::string>& args) {
  const cli::Command* c = cli::find_command(name);
  if (!c) fail_internal("no command " + name);
  auto o = cli::Options::parse(c->options, args, c->positionals);
  cli::apply_common(o);
  py::gil_scoped_release release;
  c->run(o);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(cat(path, ": not written"), "see the log above");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

py::object unlearn(const py::kwargs& kw) {
  for (const char* k : {"model", "forget", "out"})
    if (!kw.contains(k)) fail(cat("libu.unlearn: missing ", k, "="), "pass model=, forget= and out=");
  run_command("unlearn", flags(kw));
  return to_py(nlohmann::json::parse(read_text(py::str(kw["out"]).cast<std::string>() + "/run.json")));
}

py::object eval_run(const py::kwargs& kw) {
  if (!kw.contains("out")) fail("libu.eval_run: missing out=", "pass the output folder");
  run_command("eval run", flags(kw));
  return to_py(nlohmann::json::parse(read_text(py::str(kw["out"]).cast<std::string>() + "/metrics.json")));
}

py::object eval_score(const std::string& predictions, std::optional<double> mmlu_acc) {
  eval::SemevalResult r;
  {
    py::gil_scoped_release release;
    r = eval::score_predictions_dir(predictions, mmlu_acc, eval::ScoreOptions{});
  }
  return to_py(eval::semeval_to_json(r));
}

py::list read_table(const std::string& path, const std::optional<std::vector<std::string>>& columns,
                    const std::optional<int64_t>& limit) {
  py::list rows;
  io::for_each_table_row(path, columns.value_or(std::vector<std::string>{}), limit.value_or(-1),
                         [&](const nlohmann::ordered_json& r) { rows.append(to_py(r)); });
  return rows;
}

}  // namespace

PYBIND11_MODULE(_libu, mod) {
  mod.doc() = "libu: LoRA unlearning for Hugging Face causal LMs (C++ core)";
  mod.attr("__version__") = LIBU_VERSION_STRING;
  model::set_threads(0);  // every core (Debian's libtorch would use 1)

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      py::object cls = py::module_::import("libu").attr("Error");
      PyErr_SetObject(cls.ptr(), py::make_tuple(e.message(), e.hint()).ptr());
    }
  });

  py::class_<PyTokenizer>(mod, "Tokenizer")
      .def_static("from_file", [](const std::string& p) { return PyTokenizer{std::make_shared<text::Tokenizer>(text::Tokenizer::from_file(p))}; },
                  py::arg("path"))
      .def("encode", [](const PyTokenizer& t, const std::string& s, bool special) {
             auto ids = t.tok->encode_ids(s, special);
             return std::vector<int64_t>(ids.begin(), ids.end());
           }, py::arg("text"), py::arg("add_special_tokens") = false)
      .def("encode_batch", [](const PyTokenizer& t, const std::vector<std::string>& texts, bool special) {
             std::vector<text::Encoding> enc;
             {
               py::gil_scoped_release release;
               enc = t.tok->encode_batch(texts, special);
             }
             std::vector<std::vector<int64_t>> out;
             for (auto& e : enc) out.emplace_back(e.ids.begin(), e.ids.end());
             return out;
           }, py::arg("texts"), py::arg("add_special_tokens") = false)
      .def("offsets", [](const PyTokenizer& t, const std::string& s, bool special) {
             return t.tok->encode(s, special).offsets;
           }, py::arg("text"), py::arg("add_special_tokens") = false,
           "(begin, end) in code points of each token, as HF tokenizers reports them")
      .def("decode", [](const PyTokenizer& t, const std::vector<int64_t>& ids, bool skip) {
             return t.tok->decode(as_ids(ids), skip);
           }, py::arg("ids"), py::arg("skip_special_tokens") = false)
      .def_property_readonly("vocab_size", [](const PyTokenizer& t) { return t.tok->vocab_size(); });

  py::class_<PyModel>(mod, "Model")
      .def_static("load", &load_model, py::arg("path"), py::arg("dtype") = "bf16", py::arg("device") = "cpu",
                  py::arg("adapter") = py::none())
      .def("forward", [](PyModel& pm, const torch::Tensor& ids, const std::optional<torch::Tensor>& mask) {
             py::gil_scoped_release release;
             return forward(pm, ids, mask);
           }, py::arg("input_ids"), py::arg("attention_mask") = py::none())
      .def("generate", [](PyModel& pm, const std::vector<std::string>& prompts, int64_t max_new_tokens, int64_t batch_size) {
             if (!pm.tok) fail(cat(pm.m->source_dir(), ": no tokenizer.json"), "generate needs the model folder's tokenizer");
             eval::GenerationOptions g{max_new_tokens, batch_size};
             py::gil_scoped_release release;
             return eval::generate_texts(*pm.m, *pm.tok, prompts, g, "generate");
           }, py::arg("prompts"), py::arg("max_new_tokens") = 256, py::arg("batch_size") = 8)
      .def("add_lora", [](PyModel& pm, int64_t r, double alpha, std::vector<std::string> targets, uint64_t seed) {
             model::LoraConfig c;
             c.r = r, c.alpha = alpha, c.targets = std::move(targets);
             pm.m->add_lora(c, seed);
           }, py::arg("r") = 16, py::arg("alpha") = 32.0,
           py::arg("targets") = std::vector<std::string>{"q_proj", "k_proj", "v_proj", "o_proj"}, py::arg("seed") = 0)
      .def("lora_parameters", &lora_parameters,
           "name → fp32 tensor, the very storage the model computes with (train it with any torch optimizer)")
      .def("train", [](PyModel& pm, bool on) { pm.m->set_training(on); }, py::arg("mode") = true)
      .def("save_adapter", [](PyModel& pm, const std::string& dir) { model::save_adapter(*pm.m, dir); }, py::arg("path"))
      .def_property_readonly("config", [](PyModel& pm) { return to_py(pm.m->config().to_json()); })
      .def_property_readonly("tokenizer", [](PyModel& pm) {
        if (!pm.tok) fail(cat(pm.m->source_dir(), ": no tokenizer.json"));
        return PyTokenizer{pm.tok};
      })
      .def_property_readonly("device", [](PyModel& pm) { return pm.m->device().str(); })
      .def_property_readonly("dtype", [](PyModel& pm) { return model::dtype_str(pm.m->dtype()); });

  mod.def("read_table", &read_table, py::arg("path"), py::arg("columns") = py::none(), py::arg("limit") = py::none(),
          "rows of a .parquet, .jsonl or .csv file as dicts");
  mod.def("unlearn", &unlearn, "libu unlearn with keyword flags; returns run.json");
  mod.def("eval_run", &eval_run, "libu eval run with keyword flags; returns metrics.json");
  mod.def("eval_score", &eval_score, py::arg("predictions"), py::arg("mmlu_acc") = py::none(),
          "the official SemEval-2025 Task 4 metrics of a predictions folder");
}
