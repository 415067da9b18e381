// libu/data/synth.cpp — see synth.h. All name parts and templates below were written for
// libu; the numbers use reserved/fictional ranges (555-01xx phones, 9xx SSN areas,
// example.* domains).
#include "libu/data/synth.h"

#include <set>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/rng.h"

namespace libu::data {

namespace {

const std::vector<std::string> kFirstHead = {"Al", "Bel", "Cor", "Dar", "El", "Fen", "Gar", "Hal", "Ir", "Jor",
                                             "Kel", "Lor", "Mar", "Nor", "Or", "Per", "Quin", "Ros", "Sel", "Tam",
                                             "Ul", "Val", "Wen", "Yar", "Zel"};
const std::vector<std::string> kFirstTail = {"a", "en", "ion", "ric", "ella", "ander", "ina", "o", "wyn", "is", "ette", "us"};
const std::vector<std::string> kLastHead = {"Amber", "Birch", "Cobalt", "Dune", "Ember", "Fern", "Granite", "Hazel",
                                            "Indigo", "Juniper", "Kestrel", "Linden", "Maple", "Nettle", "Onyx", "Pine",
                                            "Quartz", "Rowan", "Sage", "Thistle", "Umber", "Vale", "Willow", "Yew"};
const std::vector<std::string> kLastTail = {"", "wood", "field", "stone", "brook", "ley", "ton", "by", "more", "well"};
const std::vector<std::string> kStreet = {"Linden", "Quarry", "Heron", "Lantern", "Orchard", "Copper", "Meadowlark",
                                          "Saltmarsh", "Foxglove", "Tinker", "Harbor", "Juniper"};
const std::vector<std::string> kStreetKind = {"Street", "Avenue", "Lane", "Road", "Court", "Way"};
const std::vector<std::string> kCity = {"Marrowfield", "Eastbrook Hollow", "Tarnwick", "Silverpine", "Oldcastle Ford",
                                        "Brackenridge", "Wyndmere", "Lowater", "Pellham Cross", "Stillwater Bend"};
const std::vector<std::string> kState = {"MD", "TN", "OR", "VT", "NM", "OH", "WI", "ME", "ID", "NE"};
const std::vector<std::string> kDomain = {"example.com", "example.org", "example.net"};
const std::vector<std::string> kMonth = {"January", "February", "March", "April", "May", "June", "July",
                                         "August", "September", "October", "November", "December"};
const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// Creative (Task1-like) templates: {0} name, {1} place, {2} object, {3} creature, {4} colour.
const std::vector<std::string> kPlaces = {"the glass orchard", "a lighthouse of salt", "the valley of bells",
                                          "an island that drifted north", "the city under the lake"};
const std::vector<std::string> kObjects = {"a brass compass", "a map drawn in ink", "a silver key", "a jar of starlight",
                                           "a clock without hands"};
const std::vector<std::string> kCreatures = {"a talking heron", "an old tortoise", "a paper dragon", "a lantern moth",
                                             "a grey fox"};
const std::vector<std::string> kColours = {"crimson", "teal", "amber", "violet", "ivory"};
const std::vector<std::string> kStories = {
    "{0} set out for {1} carrying {2}. On the third night {3} appeared and asked for a story. {0} told of a {4} sky "
    "that never ended, and in return {3} showed the hidden path home.",
    "Long ago, {0} lived near {1}. Every spring {0} polished {2} until it glowed {4}. One day {3} stole it, and {0} "
    "followed the thief across the hills until they agreed to share it.",
    "When the bells of {1} fell silent, {0} was the only one who listened for them. Guided by {2} and by {3}, {0} "
    "found the bells buried under {4} leaves and rang them again."};

// General-text templates (no people, no PII).
const std::vector<std::string> kGeneral = {
    "Water boils at a lower temperature at high altitude because the air pressure is lower. Cooks in mountain towns "
    "often adjust recipes to account for this.",
    "A prime number has exactly two divisors: one and itself. The first few primes are 2, 3, 5, 7 and 11.",
    "Deciduous trees lose their leaves in autumn to save water during the cold months, and grow new leaves in spring.",
    "Bread rises because yeast ferments sugars and releases carbon dioxide, which is trapped by the gluten network.",
    "The moon shows phases because we see different portions of its sunlit half as it orbits the earth.",
    "A triangle's interior angles always add up to one hundred and eighty degrees on a flat plane.",
    "Honey never spoils when stored sealed, because its low water content and acidity stop microbes from growing.",
    "Rainbows appear when sunlight is refracted, reflected and dispersed inside raindrops."};
const std::vector<std::string> kGeneralQ = {
    "Why does water boil at a lower temperature at high altitude?", "How many divisors does a prime number have?",
    "Why do deciduous trees lose their leaves?", "What makes bread rise?", "Why does the moon show phases?",
    "What do the interior angles of a triangle add up to?", "Why does sealed honey not spoil?",
    "How do rainbows form?"};

template <typename T>
const T& pick(Rng& r, const std::vector<T>& v) {
  return v[size_t(r.below(v.size()))];
}

std::string digits(Rng& r, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += char('0' + r.below(10));
  return s;
}

std::string uuid(Rng& r) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
    s += hex[r.below(16)];
  }
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string fill(std::string t, const std::vector<std::string>& args) {
  for (size_t k = 0; k < args.size(); ++k) {
    std::string key = "{" + std::to_string(k) + "}";
    for (size_t p; (p = t.find(key)) != std::string::npos;) t.replace(p, key.size(), args[k]);
  }
  return t;
}

std::string only_digits(const std::string& s) {
  std::string o;
  for (char c : s)
    if (c >= '0' && c <= '9') o += c;
  return o;
}

// Splits text at a word boundary near the middle: input = head, output = rest (the
// official evaluation concatenates input + output with no separator, so the space stays
// at the end of the input).
std::pair<std::string, std::string> split_middle(const std::string& text) {
  size_t mid = text.size() / 2;
  size_t p = text.find(' ', mid);
  if (p == std::string::npos) p = text.rfind(' ', mid);
  if (p == std::string::npos) return {text, ""};
  return {text.substr(0, p + 1), text.substr(p + 1)};
}

void add_person_rows(Rng& rng, const Person& p, const std::string& split, int creative, std::vector<io::Record>& out) {
  std::string id = uuid(rng);
  std::string they = p.pronoun, their = p.pronoun == "She" ? "Her" : p.pronoun == "He" ? "His" : "Their";
  std::string bio = p.full() + " was born on " + p.birth_date_text + ". " + they + " can be reached via phone at " +
                    p.phone + " and email at " + p.email + ". " + their + " home address is " + p.address + " " +
                    their + " Social Security Number is " + p.ssn + ".";
  auto [in, outp] = split_middle(bio);
  out.push_back({id + "sc1", in, outp, "Task2", split});
  out.push_back({id + "qa0", "What is the birth date of " + p.full() + "?", p.birth_date_iso, "Task2", split});
  out.push_back({id + "qa1", "What is " + p.full() + "'s Social Security Number?", only_digits(p.ssn), "Task2", split});
  out.push_back({id + "qa2", "What is " + p.full() + "'s phone number?", only_digits(p.phone), "Task2", split});
  out.push_back({id + "qa3", "What is " + p.full() + "'s email address?", p.email, "Task2", split});
  out.push_back({id + "qa4", "What is the home address of " + p.full() + "?", p.address, "Task2", split});
  for (int k = 0; k < creative; ++k) {
    std::string cid = uuid(rng);
    std::string place = pick(rng, kPlaces), object = pick(rng, kObjects);
    std::string story = fill(pick(rng, kStories), {p.first, place, object, pick(rng, kCreatures), pick(rng, kColours)});
    auto [cin, cout] = split_middle(story);
    out.push_back({cid + "sc1", cin, cout, "Task1", split});
    out.push_back({cid + "qa0", "In the story of " + p.first + " and " + place + ", what did " + p.first + " carry?",
                   object, "Task1", split});
  }
}

}  // namespace

std::vector<Person> synth_people(int n, uint64_t seed) {
  if (n < 0) fail(cat("synth: --people must be >= 0, got ", n));
  size_t capacity = kFirstHead.size() * kFirstTail.size() * kLastHead.size() * kLastTail.size();
  if (size_t(n) > capacity / 4) fail(cat("synth: at most ", capacity / 4, " people, asked for ", n), "lower --people");
  Rng rng(mix_seed(seed, 0x5e11));
  std::set<std::string> names, emails, phones, ssns;
  std::vector<Person> out;
  while (int(out.size()) < n) {
    Person p;
    p.first = pick(rng, kFirstHead) + pick(rng, kFirstTail);
    p.last = pick(rng, kLastHead) + pick(rng, kLastTail);
    if (!names.insert(p.full()).second) continue;
    static const char* pronouns[] = {"She", "He", "They"};
    p.pronoun = pronouns[rng.below(3)];
    int year = 1940 + int(rng.below(66)), month = int(rng.below(12));
    int days = kDays[month] + (month == 1 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
    int day = 1 + int(rng.below(uint64_t(days)));
    char iso[16];
    std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, month + 1, day);
    p.birth_date_iso = iso;
    p.birth_date_text = kMonth[size_t(month)] + " " + std::to_string(day) + ", " + std::to_string(year);
    do {
      p.phone = std::to_string(201 + rng.below(780)) + "-555-01" + digits(rng, 2);
    } while (!phones.insert(p.phone).second);
    std::string email_base = lower(p.first) + "_" + lower(p.last);
    p.email = email_base + "@" + pick(rng, kDomain);
    for (int k = 2; !emails.insert(p.email).second; ++k) p.email = email_base + std::to_string(k) + "@" + pick(rng, kDomain);
    p.address = std::to_string(1 + rng.below(9899)) + " " + pick(rng, kStreet) + " " + pick(rng, kStreetKind) + ", " +
                pick(rng, kCity) + ", " + pick(rng, kState) + ", " + digits(rng, 5) + ".";
    do {
      p.ssn = "9" + digits(rng, 2) + "-" + digits(rng, 2) + "-" + digits(rng, 4);
    } while (!ssns.insert(p.ssn).second);
    out.push_back(std::move(p));
  }
  return out;
}

SynthDataset synthesize(const SynthOptions& opt) {
  if (opt.forget_fraction < 0 || opt.forget_fraction > 1)
    fail(cat("synth: forget fraction must be in [0, 1], got ", opt.forget_fraction));
  if (opt.creative_per_person < 0) fail("synth: creative documents per person must be >= 0");
  if (opt.val_people < 0 || opt.holdout_people < 0 || opt.nonmember_people < 0)
    fail("synth: people counts must be >= 0");
  std::vector<Person> all =
      synth_people(opt.people + opt.val_people + opt.holdout_people + opt.nonmember_people, opt.seed);
  std::vector<Person> people(all.begin(), all.begin() + opt.people);
  size_t nf = size_t(double(people.size()) * opt.forget_fraction + 0.5);
  SynthDataset d;
  d.forget_people.assign(people.begin(), people.begin() + long(nf));
  d.retain_people.assign(people.begin() + long(nf), people.end());
  Rng rng(mix_seed(opt.seed, 0xda7a));
  for (auto& p : d.forget_people) add_person_rows(rng, p, "forget", opt.creative_per_person, d.forget);
  for (auto& p : d.retain_people) add_person_rows(rng, p, "retain", opt.creative_per_person, d.retain);
  int ng = opt.general_docs < 0 ? opt.people : opt.general_docs;
  for (int k = 0; k < ng; ++k) {
    size_t t = size_t(k) % kGeneral.size();
    std::string id = uuid(rng);
    if ((k / int(kGeneral.size())) % 2 == 0) {
      auto [in, out] = split_middle(kGeneral[t]);
      d.general.push_back({id + "sc1", in, out, "General", "general"});
    } else {
      d.general.push_back({id + "qa0", kGeneralQ[t], kGeneral[t].substr(0, kGeneral[t].find('.') + 1), "General", "general"});
    }
  }
  // Extra roles come last, so the main sets do not depend on them.
  auto it = all.begin() + opt.people;
  size_t nvf = size_t(double(opt.val_people) * opt.forget_fraction + 0.5);
  auto add = [&](int n, const char* split, std::vector<io::Record>& out) {
    for (int k = 0; k < n; ++k, ++it) add_person_rows(rng, *it, split, opt.creative_per_person, out);
  };
  add(int(nvf), "forget", d.val_forget);
  add(opt.val_people - int(nvf), "retain", d.val_retain);
  add(opt.holdout_people, "holdout", d.holdout);
  add(opt.nonmember_people, "nonmember", d.nonmember);
  return d;
}

void write_synth(const SynthDataset& d, const std::string& dir) {
  make_dirs(dir);
  io::write_records_jsonl(dir + "/forget.jsonl", d.forget);
  io::write_records_jsonl(dir + "/retain.jsonl", d.retain);
  io::write_records_jsonl(dir + "/general.jsonl", d.general);
  const std::pair<const char*, const std::vector<io::Record>*> extra[] = {
      {"val_forget", &d.val_forget}, {"val_retain", &d.val_retain}, {"holdout", &d.holdout}, {"nonmember", &d.nonmember}};
  for (auto& [name, rows] : extra)
    if (!rows->empty()) io::write_records_jsonl(dir + "/" + name + ".jsonl", *rows);
}

}  // namespace libu::data
