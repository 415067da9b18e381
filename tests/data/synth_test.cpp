#include <gtest/gtest.h>

#include <set>

#include "common/shared.h"
#include "libu/data/synth.h"
#include "libu/io/records.h"

using namespace libu;

TEST(Synth, DeterministicPerSeed) {
  data::SynthOptions o;
  o.people = 12;
  o.seed = 7;
  auto a = data::synthesize(o), b = data::synthesize(o);
  ASSERT_EQ(a.forget.size(), b.forget.size());
  for (size_t i = 0; i < a.forget.size(); ++i) {
    EXPECT_EQ(a.forget[i].id, b.forget[i].id);
    EXPECT_EQ(a.forget[i].input, b.forget[i].input);
  }
  o.seed = 8;
  auto c = data::synthesize(o);
  EXPECT_NE(a.forget[0].input, c.forget[0].input);
}

TEST(Synth, LumeTask2RowsAndCreativeDocs) {
  data::SynthOptions o;
  o.people = 10;
  o.creative_per_person = 2;
  auto d = data::synthesize(o);
  EXPECT_EQ(d.forget_people.size(), 5u);
  EXPECT_EQ(d.retain_people.size(), 5u);
  // Per person: sc1 + qa0..qa4 (Task2) and 2 × (sc1 + qa0) creative (Task1).
  EXPECT_EQ(d.forget.size(), 5u * (6 + 4));
  const auto& p = d.forget_people[0];
  const auto& sc = d.forget[0];
  EXPECT_EQ(sc.id.substr(sc.id.size() - 3), "sc1");
  EXPECT_EQ(sc.task, "Task2");
  EXPECT_EQ(sc.split, "forget");
  std::string bio = sc.input + sc.output;
  for (auto& field : {p.full(), p.birth_date_text, p.phone, p.email, p.address, p.ssn})
    EXPECT_NE(bio.find(field), std::string::npos) << field << " missing from: " << bio;
  EXPECT_EQ(d.forget[1].id.substr(d.forget[1].id.size() - 3), "qa0");
  EXPECT_EQ(d.forget[1].output, p.birth_date_iso);
  EXPECT_EQ(d.forget[4].output, p.email);
  EXPECT_EQ(d.forget[6].task, "Task1");
  // Row type = id without its last char ends in sc/qa (docs/eval.md).
  for (auto& r : d.forget) {
    std::string t = r.id.substr(r.id.size() - 3, 2);
    EXPECT_TRUE(t == "sc" || t == "qa") << r.id;
  }
}

TEST(Synth, ForgetRetainGeneralShareNoPii) {
  data::SynthOptions o;
  o.people = 40;
  o.seed = 3;
  auto d = data::synthesize(o);
  std::set<std::string> forget_keys;
  for (auto& p : d.forget_people)
    for (auto& k : {p.full(), p.email, p.phone, p.ssn}) forget_keys.insert(k);
  for (auto& p : d.retain_people)
    for (auto& k : {p.full(), p.email, p.phone, p.ssn}) EXPECT_FALSE(forget_keys.count(k)) << k;
  auto all_people = d.forget_people;
  all_people.insert(all_people.end(), d.retain_people.begin(), d.retain_people.end());
  ASSERT_FALSE(d.general.empty());
  for (auto& r : d.general)
    for (auto& p : all_people)
      for (auto& k : {p.first, p.last, p.email, p.phone, p.ssn})
        EXPECT_EQ((r.input + r.output).find(k), std::string::npos) << k;
  // Retain rows never mention a forget person.
  for (auto& r : d.retain)
    for (auto& p : d.forget_people) EXPECT_EQ((r.input + r.output).find(p.full()), std::string::npos);
}

TEST(Synth, WritesLoadableFolder) {
  data::SynthOptions o;
  o.people = 6;
  auto d = data::synthesize(o);
  std::string dir = test::temp_dir("synth_out") + "/ds";
  data::write_synth(d, dir);
  EXPECT_EQ(io::load_split(dir, "forget").size(), d.forget.size());
  EXPECT_EQ(io::load_split(dir, "retain").size(), d.retain.size());
  EXPECT_EQ(io::load_split(dir, "general").size(), d.general.size());
}
