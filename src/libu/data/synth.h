// libu/data/synth.h — a synthetic PII dataset in SemEval-2025 Task 4 schema (no torch, no
// external text). Fictional people get biographies (LUME Task2 style: one sc1 row and
// qa0..qa4 rows), a few template-built creative documents (Task1 style), and a separate
// general-text split that shares no PII with either set. Deterministic per seed; the
// forget and retain sets share no person.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "libu/io/records.h"

namespace libu::data {

struct Person {
  std::string first, last;
  std::string full() const { return first + " " + last; }
  std::string birth_date_iso;   // "1976-03-29"
  std::string birth_date_text;  // "March 29, 1976"
  std::string phone;            // "565-555-0119"
  std::string email;            // "first_last@example.com"
  std::string address;          // "1011 Linden Street, Marrowfield, MD, 21225."
  std::string ssn;              // "912-57-8002" (9xx area: never a valid SSN)
  std::string pronoun = "They";
};

struct SynthOptions {
  int people = 20;                // total fictional people
  uint64_t seed = 0;
  double forget_fraction = 0.5;   // share of people in the forget set
  int creative_per_person = 1;    // Task1-like documents per person
  int general_docs = -1;          // general-text records; -1 = same as people
  // Extra people for other roles, distinct from everyone above (one name pool):
  int val_people = 0;             // validation people, split forget/retain by forget_fraction
  int holdout_people = 0;         // never-seen rows of the same kind (unlearn --holdout)
  int nonmember_people = 0;       // MIA non-members
};

struct SynthDataset {
  std::vector<Person> forget_people, retain_people;
  std::vector<io::Record> forget, retain, general;
  std::vector<io::Record> val_forget, val_retain, holdout, nonmember;  // empty unless asked for
};

// n distinct people (unique names, emails, phones and SSN-like numbers) from `seed`.
std::vector<Person> synth_people(int n, uint64_t seed);
SynthDataset synthesize(const SynthOptions& opt);
// Writes forget.jsonl, retain.jsonl and general.jsonl into dir (created if needed), plus
// val_forget.jsonl, val_retain.jsonl, holdout.jsonl and nonmember.jsonl when those are non-empty.
void write_synth(const SynthDataset& d, const std::string& dir);

}  // namespace libu::data
