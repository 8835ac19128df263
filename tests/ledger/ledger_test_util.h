// What the ledger tests share: temporary directories, settlement and cancellation writes as the
// platform makes them, register, visit, fee-line and contribution records, and the kill -9 rounds
// run against each backend.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/diagnostic.h"
#include "ledger/ledger.h"

namespace yibao::ledger_test {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("yibao-ledger-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// An inpatient visit of H37990000001 by `psn_no`.
inline VisitRecord Visit(const std::string& mdtrt_id, const std::string& psn_no) {
  VisitRecord v;
  v.fixmedins_code = "H37990000001";
  v.mdtrt_id = mdtrt_id;
  v.psn_no = psn_no;
  v.insutype = "310";
  v.med_type = "21";
  v.ipt_otp_no = "ZY" + mdtrt_id;
  v.begntime = "2025-03-01 08:00:00";
  v.status = "admitted";
  v.info_json = "{\"dise_codg\":\"K80.101\"}";
  return v;
}

// A settlement write as the platform will make it: the record, its accumulator deltas and a
// balanced journal (funds pay out, the personal account pays, the hospital is owed both).
inline LedgerWrite Settlement(const std::string& setl_id, const std::string& mdtrt_id,
                              const std::string& psn_no, int64_t fund, int64_t acct, int64_t cash,
                              const std::string& msgid = "") {
  LedgerWrite w;
  w.fixmedins_code = "H37990000001";
  SettlementRecord r;
  r.setl_id = setl_id;
  r.mdtrt_id = mdtrt_id;
  r.psn_no = psn_no;
  r.fixmedins_code = w.fixmedins_code;
  r.insutype = "310";
  r.med_type = "21";
  r.year = 2025;
  r.policy_region = "379900";
  r.policy_version = "2025.1";
  r.medfee_sumamt = fund + acct + cash;
  r.fund_pay_sumamt = fund;
  r.psn_part_amt = acct + cash;
  r.acct_pay = acct;
  r.psn_cash_pay = cash;
  r.clr_type = "21";
  r.setl_time = "2025-03-01 10:00:00";
  r.bill_json = "{\"setl_id\":\"" + setl_id + "\"}";
  w.settlement = r;
  w.accumulators = {{"inpatient.admissions", 1}, {"inpatient.basic.paid", fund}};
  w.journal = {{"fund:379900:310:hifp", -fund},
               {"acct:" + psn_no, -acct},
               {"hospital:H37990000001", fund + acct}};
  w.msgid = msgid;
  w.infno = "2304";
  w.reply_json = "{\"infcode\":0}";
  return w;
}

// The exact negation of a settlement write, as its own record.
inline LedgerWrite Cancellation(const LedgerWrite& original, const std::string& setl_id) {
  LedgerWrite w = original;
  SettlementRecord& r = *w.settlement;
  r.cancels = r.setl_id;
  r.setl_id = setl_id;
  for (int64_t* m :
       {&r.medfee_sumamt, &r.fund_pay_sumamt, &r.psn_part_amt, &r.acct_pay, &r.psn_cash_pay})
    *m = -*m;
  for (auto& d : w.accumulators) d.delta = -d.delta;
  for (auto& e : w.journal) e.amount = -e.amount;
  w.msgid.clear();
  return w;
}

// A person with two insurances and an identity, or as given.
inline PersonRecord Person(const std::string& psn_no, const std::string& certno) {
  PersonRecord p;
  p.psn_no = psn_no;
  p.psn_cert_type = "01";
  p.certno = certno;
  p.psn_name = "张三";
  p.gend = "1";
  p.brdy = "1960-05-01";
  p.naty = "01";
  p.insurances = {
      InsuranceRecord{"310", "1101", "1", "1995-01-01", "", "379900", "E1", "0"},
      InsuranceRecord{"330", "1101", "1", "2001-07-01", "", "379900", "E1", "0"},
  };
  p.identities = {IdentityRecord{"lowinc", "2024-01-01", ""}};
  return p;
}

inline InstitutionRecord Institution(const std::string& code, int hosp_lv) {
  InstitutionRecord i;
  i.fixmedins_code = code;
  i.fixmedins_name = "医院" + code;
  i.fixmedins_type = "1";
  i.hosp_lv = hosp_lv;
  i.admdvs = "379902";
  i.credential_sm3 = std::string(64, 'a');
  i.sm2_public_key = "04" + std::string(128, 'b');
  return i;
}

// A cross-region filing of `psn_no`, open-ended unless `enddate` is given.
inline FilingRecord Filing(const std::string& filing_id, const std::string& psn_no,
                           const std::string& filing_type = "long_term",
                           const std::string& mdtrtarea_admvs = "440300",
                           const std::string& begndate = "2025-01-01",
                           const std::string& enddate = "") {
  return FilingRecord{filing_id, psn_no, filing_type, mdtrtarea_admvs, begndate, enddate, false};
}

inline LedgerWrite Filings(std::vector<FilingRecord> filings) {
  LedgerWrite w;
  w.filings = std::move(filings);
  return w;
}

// A fee line of visit `mdtrt_id` of H37990000001 (only the key matters for a cancellation).
inline FeeLineRecord FeeLine(const std::string& mdtrt_id, const std::string& feedetl_sn,
                             int64_t fen = 1000) {
  FeeLineRecord f;
  f.fixmedins_code = "H37990000001";
  f.mdtrt_id = mdtrt_id;
  f.feedetl_sn = feedetl_sn;
  f.chrg_bchno = "B1";
  f.med_list_codg = "XA01AAA001";
  f.medins_list_codg = "H-" + feedetl_sn;
  f.cnt = "2.5000";
  f.pric = "4.000000";
  f.det_item_fee_sumamt = fen;
  f.hosp_appr_flag = "1";
  f.prd_days = 3;
  f.fee_ocur_time = "2025-03-01 09:00:00";
  return f;
}

inline LedgerWrite FeeLines(const std::vector<FeeLineRecord>& upload,
                            const std::vector<FeeLineRecord>& cancel = {},
                            const std::string& msgid = "") {
  LedgerWrite w;
  w.fixmedins_code = "H37990000001";
  w.fee_lines = upload;
  w.fee_lines_cancelled = cancel;
  w.msgid = msgid;
  w.infno = "2204";
  w.reply_json = "{\"infcode\":0}";
  return w;
}

// An employee's contribution: the employee's part to the personal account, the rest to the pool;
// the contributors' accounts pay.
inline LedgerWrite Contribution(const std::string& id, const std::string& psn_no, int64_t employer,
                                int64_t employee) {
  LedgerWrite w;
  w.fixmedins_code = "";
  ContributionRecord c;
  c.contribution_id = id;
  c.psn_no = psn_no;
  c.emp_no = "E1";
  c.insutype = "310";
  c.period = "202503";
  c.base = 500000;
  c.employer_part = employer;
  c.employee_part = employee;
  c.to_account = employee;
  c.to_pool = employer;
  w.contribution = c;
  w.journal = {{"employer:E1", -employer},
               {"person:" + psn_no, -employee},
               {"acct:" + psn_no, employee},
               {"fund:379900:310:hifp", employer}};
  return w;
}

// Submits `writes` so that they are applied in one batch (one transaction): the writer is held in
// the callback of an empty write until all of them are queued. Returns their statuses.
inline std::vector<WriteStatus> SubmitAsOneBatch(Ledger& ledger,
                                                 const std::vector<LedgerWrite>& writes) {
  std::promise<void> held, release;
  std::shared_future<void> released = release.get_future().share();
  ledger.Submit(LedgerWrite{}, [&held, released](WriteStatus) {
    held.set_value();
    released.wait();
  });
  held.get_future().wait();
  const uint64_t batches = ledger.Stats().batches;
  std::vector<std::promise<WriteStatus>> done(writes.size());
  for (size_t i = 0; i < writes.size(); ++i)
    ledger.Submit(writes[i], [&done, i](WriteStatus s) { done[i].set_value(s); });
  release.set_value();
  std::vector<WriteStatus> out;
  for (auto& d : done) out.push_back(d.get_future().get());
  EXPECT_EQ(ledger.Stats().batches, batches + 1) << "the writes were not applied in one batch";
  return out;
}

// What MixedBatch() expects to find: settlement S0 of visit V0 (msgid M0), live fee lines 1 and 2
// of visit V9, contribution C0 of P1. Submitted one by one.
inline std::vector<LedgerWrite> MixedBatchSetup() {
  return {Settlement("S0", "V0", "P0", 50, 0, 0, "M0"),
          FeeLines({FeeLine("V9", "1"), FeeLine("V9", "2")}, {}, "F0"),
          Contribution("C0", "P1", 400, 100)};
}

// Every kind of refusal mixed with good writes, most of them colliding with writes earlier in the
// same list (a visit settled twice, cancelled and settled again, a msgid twice, a fee line
// uploaded twice, cancelled after its upload, …), and the status each gets when the writes are
// applied in order — one by one or in one batch alike.
struct MixedWrites {
  std::vector<LedgerWrite> writes;
  std::vector<WriteStatus> expected;
};
inline MixedWrites MixedBatch() {
  using S = WriteStatus;
  MixedWrites m;
  auto add = [&m](LedgerWrite w, WriteStatus expected) {
    m.writes.push_back(std::move(w));
    m.expected.push_back(expected);
  };
  const LedgerWrite s1 = Settlement("S1", "V1", "P1", 100, 0, 0, "M1");
  add(s1, S::kDurable);
  add(Settlement("S2", "V1", "P1", 200, 0, 0, "M2"), S::kDuplicateVisit);  // V1 settled just now
  add(Settlement("S1", "V2", "P1", 300, 0, 0, "M3"), S::kDuplicateVisit);  // setl_id S1 again
  add(Cancellation(s1, "C1"), S::kDurable);                                // cancel S1
  const LedgerWrite s3 = Settlement("S3", "V1", "P1", 400, 0, 0, "M4");
  add(s3, S::kDurable);                                                    // V1 settled again
  add(Cancellation(s1, "C1b"), S::kDuplicateVisit);                        // S1 cancelled already
  add(Settlement("S4", "V4", "P2", 500, 0, 0, "M4"), S::kDuplicateMsgid);  // M4 just used
  add(Settlement("S5", "V5", "P2", 600, 0, 0, "M0"), S::kDuplicateMsgid);  // M0 committed before
  {
    LedgerWrite w = Settlement("S6", "V0", "P2", 700, 0, 0, "M4");  // three faults: balance first
    w.journal.front().amount += 1;
    add(w, S::kUnbalanced);
  }
  add(Settlement("S7", "V0", "P2", 800, 0, 0, "M4"), S::kDuplicateVisit);  // visit before msgid
  add(FeeLines({FeeLine("V9", "3")}, {}, "F10"), S::kDurable);
  add(FeeLines({FeeLine("V9", "3")}, {}, "F11"), S::kDuplicateFeeLine);  // uploaded just now
  add(FeeLines({}, {FeeLine("V9", "3")}, "F12"), S::kDurable);           // cancel it
  add(FeeLines({}, {FeeLine("V9", "3")}, "F13"), S::kNotFound);          // cancelled just now
  add(FeeLines({FeeLine("V9", "3", 333)}, {}, "F14"), S::kDurable);      // upload it again
  add(FeeLines({FeeLine("V9", "4")}, {FeeLine("V9", "1")}, "F15"), S::kDurable);
  add(FeeLines({FeeLine("V9", "1", 111)}, {FeeLine("V9", "2")}, "F16"), S::kDurable);
  add(FeeLines({FeeLine("V9", "5")}, {FeeLine("V9", "2")}, "M1"), S::kNotFound);  // before msgid
  add(FeeLines({FeeLine("V9", "6")}, {}, "M1"), S::kDuplicateMsgid);
  add(FeeLines({FeeLine("V9", "7"), FeeLine("V9", "7")}, {}, "F20"), S::kDuplicateFeeLine);
  add(FeeLines({}, {FeeLine("V9", "4"), FeeLine("V9", "4")}, "F21"), S::kNotFound);
  add(FeeLines({FeeLine("V9", "8")}, {FeeLine("V9", "8")}, "F22"), S::kNotFound);  // not live
  add(FeeLines({FeeLine("V9", "4", 444)}, {FeeLine("V9", "4")}, "F23"), S::kDurable);
  add(Contribution("C1", "P1", 300, 30), S::kDurable);
  add(Contribution("C1", "P1", 300, 30), S::kDuplicateMsgid);  // just now
  add(Contribution("C0", "P1", 300, 30), S::kDuplicateMsgid);  // committed before
  {
    LedgerWrite w = Settlement("S8", "V8", "P2", 900, 0, 0, "M8");  // an account twice
    w.accumulators.push_back(w.accumulators.front());
    add(w, S::kFailed);
  }
  {
    LedgerWrite w;  // a person with one insutype twice
    w.fixmedins_code = "H37990000001";
    PersonRecord p = Person("P8", "c8");
    p.insurances.push_back(p.insurances.front());
    w.persons = {p};
    w.msgid = "M9";
    add(w, S::kFailed);
  }
  {
    LedgerWrite w = Settlement("S9", "V9", "P1", 90, 0, 0, "M10");  // contribution C1 again
    w.contribution = Contribution("C1", "P1", 1, 1).contribution;
    add(w, S::kDuplicateMsgid);
  }
  {
    LedgerWrite w = Settlement("S10", "V10", "P1", 10, 0, 0, "M11");  // a live line of V9 again
    w.fee_lines = {FeeLine("V9", "3")};
    add(w, S::kDuplicateFeeLine);
  }
  {
    LedgerWrite w = Settlement("S11", "V11", "P2", 110, 20, 5, "M12");  // everything at once
    w.visit = Visit("V11", "P2");
    w.visit->status = "discharged";
    w.fee_lines = {FeeLine("V11", "1")};
    w.audit_operator = "OP1";
    w.audit_action = "2304";
    add(w, S::kDurable);
  }
  add(Cancellation(s3, "S3"), S::kDuplicateVisit);  // its own id is the original's
  {
    LedgerWrite w = Settlement("S0", "V0", "P0", 50, 0, 0);  // cancel S0, of an earlier batch
    add(Cancellation(w, "CX0"), S::kDurable);
  }
  add(Settlement("S12", "V0", "P0", 120, 0, 0, "M13"), S::kDurable);  // V0 settled again
  {
    LedgerWrite w;  // the register
    w.fixmedins_code = "H37990000001";
    w.persons = {Person("P9", "c9")};
    w.employers = {EmployerRecord{"E9", "单位", "379900"}};
    w.institutions = {Institution("H37990000009", 2)};
    w.sign_in = SignInRecord{"SN1", "H37990000001", "OP1", "2025-03-01 08:00:00", false};
    w.filings = {Filing("FL1", "P9"), Filing("FL2", "P9", "referral", "440000", "2025-02-01")};
    w.msgid = "M14";
    w.audit_operator = "OP2";
    w.audit_action = "9001";
    add(w, S::kDurable);
  }
  add(Settlement("S13", "V13", "P2", 130, 0, 0, "M14"), S::kDuplicateMsgid);  // M14 just now
  {
    LedgerWrite w = Filings({Filing("FL3", "P2")});  // a filing in a refused write is not kept
    w.fixmedins_code = "H37990000001";
    w.msgid = "M13";
    add(w, S::kDuplicateMsgid);
  }
  {
    FilingRecord revoked = Filing("FL1", "P9");  // FL1 of the batch's register write, revoked
    revoked.revoked = true;
    revoked.enddate = "2025-06-30";
    add(Filings({revoked, Filing("FL4", "P2", "emergency", "110105", "2025-03-01")}), S::kDurable);
  }
  return m;
}

// What the writes of MixedBatchSetup() and MixedBatch() can have changed, as text (to compare
// ledgers that were given them in different ways).
inline std::string MixedBatchSnapshot(Ledger& ledger) {
  std::ostringstream o;
  for (const char* id : {"S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11",
                         "S12", "S13", "CX0", "C1", "C1b"}) {
    auto s = ledger.FindSettlement(id);
    o << id << ":" << (s ? s->cancels + "/" + std::to_string(s->fund_pay_sumamt) : "-") << " ";
    for (const auto& [account, delta] : ledger.DeltasOf(id)) o << account << "=" << delta << " ";
    for (const auto& e : ledger.JournalOf(id)) o << e.account << "=" << e.amount << " ";
    o << "\n";
  }
  for (const char* v : {"V0", "V1", "V2", "V4", "V5", "V8", "V9", "V10", "V11", "V13"}) {
    auto s = ledger.LiveSettlementOfVisit("H37990000001", v);
    o << v << " live:" << (s ? s->setl_id : "-") << " lines:";
    const SharedFeeLines lines = ledger.FeeLinesOf("H37990000001", v);  // held while read
    for (const auto& f : *lines)
      o << f.feedetl_sn << "/" << f.det_item_fee_sumamt << (f.cancelled ? "x" : "") << " ";
    auto visit = ledger.FindVisit("H37990000001", v);
    o << " visit:" << (visit ? visit->status : "-") << "\n";
  }
  for (int i = 0; i <= 14; ++i)
    for (const char* prefix : {"M", "F"}) {
      const std::string msgid = prefix + std::to_string(i);
      auto r = ledger.FindReply("H37990000001", msgid);
      o << msgid << ":" << (r ? *r : "-") << " ";
    }
  for (const char* f : {"F15", "F16", "F20", "F21", "F22", "F23"})
    o << f << ":" << (ledger.FindReply("H37990000001", f) ? "y" : "-") << " ";
  o << "\n";
  for (const char* p : {"P0", "P1", "P2"}) {
    for (const auto& [account, value] : ledger.Accumulators(p, "310", 2025))
      o << p << "." << account << "=" << value << " ";
    o << "acct=" << ledger.AccountBalance(std::string("acct:") + p) << " contributions:";
    for (const auto& c : ledger.ContributionsOf(p)) o << c.contribution_id << " ";
    o << "\n";
  }
  o << "hospital=" << ledger.AccountBalance("hospital:H37990000001")
    << " fund=" << ledger.AccountBalance("fund:379900:310:hifp")
    << " journal=" << ledger.JournalSum() << "\n";
  for (const char* p : {"P8", "P9"}) {
    auto person = ledger.FindPerson(p);
    o << p << ":" << (person ? std::to_string(person->insurances.size()) : "-") << " ";
  }
  for (const char* p : {"P2", "P9"}) {
    o << p << " filings:";
    for (const auto& f : ledger.FilingsOf(p))
      o << f.filing_id << "/" << f.filing_type << "/" << f.mdtrtarea_admvs << "/" << f.begndate
        << "-" << f.enddate << (f.revoked ? "/revoked" : "") << " ";
  }
  o << "FL3:" << (ledger.FindFiling("FL3") ? "y" : "-") << "\n";
  o << "E9:" << (ledger.FindEmployer("E9") ? "y" : "-")
    << " H9:" << (ledger.FindInstitution("H37990000009") ? "y" : "-")
    << " SN1:" << (ledger.FindSignIn("SN1") ? "y" : "-") << " audit:";
  for (const auto& a : ledger.AuditLog(10)) o << a.action << " ";
  o << "\n";
  return o.str();
}

using OpenLedger = std::function<Result<std::unique_ptr<Ledger>>()>;

inline uintmax_t AckFileSize(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// kill -9 at random moments while a child process settles continuously; after each restart every
// acknowledged settlement is there, nothing is half there, and the books balance. `open` opens the
// same store each time (in the child and, after the kill, in this process).
inline void KillNineRounds(const OpenLedger& open, const std::string& acks, int rounds,
                           uint32_t seed) {
  std::mt19937 rng(seed);
  int next_id = 0;
  // The store and its schema exist before the first child starts (creating the schema takes a few
  // hundred ms on PostgreSQL, one fsync per table and index): every round measures settling, and
  // a round's child is never killed before it could acknowledge anything.
  {
    auto created = open();
    ASSERT_TRUE(created.ok()) << FormatDiagnostics(created.errors());
  }
  for (int round = 0; round < rounds; ++round) {
    const int first_id = next_id;
    const uintmax_t acks_before = AckFileSize(acks);
    const pid_t parent = ::getpid();
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Never outlive the test (killed by a timeout, say): die with it.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) _exit(3);
      // Child: settle from 4 threads as fast as the ledger acknowledges, writing each
      // acknowledgement (after the callback, i.e. after durability) to the ack file.
      auto l = open();
      if (!l.ok()) _exit(2);
      std::ofstream out(acks, std::ios::app);
      std::mutex out_mu;
      std::atomic<int> id{first_id};
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
          for (;;) {
            int i = id++;
            std::string s = std::to_string(i);
            const std::string psn = "P" + std::to_string(i % 7);
            LedgerWrite w = Settlement("S" + s, "V" + s, psn, 1000 + i % 13, i % 5, 7);
            w.visit = Visit("V" + s, psn);  // SettlementsOf finds a settlement through its visit
            WriteStatus st = (*l)->SubmitAndWait(w);
            if (st == WriteStatus::kDurable) {
              std::lock_guard<std::mutex> lock(out_mu);
              out << s << '\n' << std::flush;
            }
          }
        });
      for (auto& t : threads) t.join();
      _exit(0);
    }
    // Killed at a random moment of its settling: after its first acknowledgement (on a loaded
    // machine opening the ledger alone can take longer than any fixed delay), then 0–250 ms on.
    const auto waited_from = std::chrono::steady_clock::now();
    while (AckFileSize(acks) <= acks_before &&
           std::chrono::steady_clock::now() - waited_from < std::chrono::seconds(30))
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 250));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    next_id = first_id + 1'000'000;  // ids of the next round never collide

    auto opened = open();
    ASSERT_TRUE(opened.ok()) << "round " << round << ": "
                             << (opened.ok() ? "" : FormatDiagnostics(opened.errors()));
    std::unique_ptr<Ledger> ledger = std::move(*opened);
    ASSERT_TRUE(ledger);
    std::ifstream in(acks);
    std::string line;
    int acknowledged = 0;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      ++acknowledged;
      auto r = ledger->FindSettlement("S" + line);
      ASSERT_TRUE(r) << "round " << round << ": acknowledged settlement S" << line << " is missing";
      ASSERT_EQ(ledger->DeltasOf("S" + line).size(), 2u) << "half-written S" << line;
    }
    EXPECT_EQ(ledger->JournalSum(), 0) << "round " << round;
    // Accumulators and account balances equal a replay of the settlements (their stored deltas and
    // amounts), and the journal holds exactly the entries of the settlements that exist.
    int64_t hospital = 0;
    size_t present = 0;
    for (int p = 0; p < 7; ++p) {
      std::string psn = "P" + std::to_string(p);
      int64_t paid = 0, admissions = 0, account_paid = 0;
      for (const auto& r : ledger->SettlementsOf(psn, "310", 2025)) {
        ++present;
        account_paid += r.acct_pay;
        for (const auto& [account, delta] : ledger->DeltasOf(r.setl_id)) {
          if (account == "inpatient.basic.paid") paid += delta;
          if (account == "inpatient.admissions") admissions += delta;
        }
        hospital += r.fund_pay_sumamt + r.acct_pay;
      }
      auto acc = ledger->Accumulators(psn, "310", 2025);
      EXPECT_EQ(acc["inpatient.basic.paid"], paid) << psn << " round " << round;
      EXPECT_EQ(acc["inpatient.admissions"], admissions) << psn << " round " << round;
      EXPECT_EQ(ledger->AccountBalance("acct:" + psn), -account_paid) << psn << " round " << round;
    }
    EXPECT_EQ(ledger->AccountBalance("hospital:H37990000001"), hospital) << "round " << round;
    EXPECT_GT(acknowledged, 0) << "round " << round << ": the child acknowledged nothing";
    if (round == rounds - 1)
      std::cout << rounds << " kill -9 rounds: " << acknowledged
                << " acknowledged settlements all present (" << present
                << " settlements stored in all)\n";
  }
}

}  // namespace yibao::ledger_test
