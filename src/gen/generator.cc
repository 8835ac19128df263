#include "gen/generator.h"

#include <fmt/format.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "base/csv_reader.h"
#include "base/text.h"
#include "gen/abuse.h"
#include "gen/builtin_tables.h"
#include "gen/care.h"
#include "gen/output.h"
#include "gen/population.h"

namespace yibao::gen {

namespace {

// Stream keys: the block streams are keyed by block number, the region-wide ones far above.
constexpr uint64_t kInstitutionStream = 1ULL << 40;

void BuildBlock(const GenContext& g, uint64_t block, BlockText& text) {
  BlockData b;
  b.index = block;
  b.first_person = int64_t(block) * kPersonsPerBlock;
  const int64_t count = std::min(kPersonsPerBlock, g.options.persons - b.first_person);
  Rng rng(g.options.seed, block);
  b.persons.reserve(size_t(count));
  for (int64_t i = 0; i < count; ++i) b.persons.push_back(MakePerson(g, rng, b.first_person + i));
  b.ledgers.resize(size_t(count));
  b.visits.resize(size_t(count));
  for (int64_t i = 0; i < count; ++i)
    PlanPersonYear(g, rng, b.persons[size_t(i)], uint32_t(i), b.ledgers[size_t(i)],
                   b.visits[size_t(i)], b.seq);
  for (int64_t i = 0; i < count; ++i)
    for (Visit& v : b.visits[size_t(i)])
      if (v.inpatient()) v.drg = GroupStay(g, b.persons[size_t(i)], v);
  Rng abuse(g.options.seed, block ^ (1ULL << 41));
  InjectAbuse(g, abuse, b);
  LabelAcrossVisits(g, b);
  FormatBlock(g, b, text);
}

}  // namespace

int DefaultInstitutionCount(int64_t persons) {
  return int(std::max<int64_t>(30, std::min<int64_t>(persons / 500, 200'000)));
}

std::vector<Institution> MakeInstitutions(const GenOptions& o, int count) {
  Rng rng(o.seed, kInstitutionStream);
  std::vector<Institution> out;
  // The mix of 定点医药机构 (national statistics, rounded): few 三级, more 二级, many 一级 and
  // 基层 (community health centres, township hospitals, village clinics), as many pharmacies,
  // and one or two internet hospitals.
  const int internet = count >= 100 ? 2 : 1;
  const int rest = count - internet;
  const int level3 = std::max(1, rest * 3 / 100);
  const int level2 = std::max(2, rest * 10 / 100);
  const int level1 = std::max(1, rest * 7 / 100);
  const int pharmacies = std::max(2, rest * 40 / 100);
  const int clinics = std::max(2, rest - level3 - level2 - level1 - pharmacies);
  int hseq = 0, pseq = 0;
  static constexpr std::string_view kDistricts[] = {"东溪", "西岭", "南湖", "北塘", "青云",
                                                    "白石", "清泉", "柳林", "望江", "金桥"};
  auto district = [&] { return kDistricts[rng.Below(std::size(kDistricts))]; };
  auto hospital = [&](int level, InstitutionKind kind, std::string name) {
    Institution i;
    i.code = fmt::format("H{}{:05}", o.admdvs, ++hseq);
    i.name = std::move(name);
    i.level = level;
    i.kind = kind;
    i.admdvs = o.admdvs;
    // DRG payment: most 二级/三级 hospitals, some 一级 (CHS-DRG pilots cover hospitals first).
    i.drg_paid = kind == InstitutionKind::kHospital && rng.Percent(level >= 2 ? 80 : 30);
    out.push_back(std::move(i));
  };
  for (int i = 0; i < level3; ++i)
    hospital(3, InstitutionKind::kHospital,
             i == 0 ? "青岚市第一人民医院" : fmt::format("青岚市第{}医院(三级)", i + 1));
  for (int i = 0; i < level2; ++i)
    hospital(2, InstitutionKind::kHospital,
             fmt::format("{}区人民医院({}号院区)", district(), i + 1));
  for (int i = 0; i < level1; ++i)
    hospital(1, InstitutionKind::kHospital, fmt::format("{}镇中心卫生院({})", district(), i + 1));
  for (int i = 0; i < clinics; ++i) {
    const bool village = rng.Percent(40);
    hospital(village ? 0 : 1, InstitutionKind::kClinic,
             village ? fmt::format("{}村卫生室({})", district(), i + 1)
                     : fmt::format("{}社区卫生服务中心({})", district(), i + 1));
  }
  for (int i = 0; i < internet; ++i)
    hospital(2, InstitutionKind::kInternet, fmt::format("青岚云医互联网医院({})", i + 1));
  static constexpr std::string_view kChains[] = {"百草堂大药房", "仁和药房", "康宁大药房",
                                                 "益民药店"};
  for (int i = 0; i < pharmacies; ++i) {
    Institution p;
    p.code = fmt::format("P{}{:05}", o.admdvs, ++pseq);
    p.name = fmt::format("{}({}{}号店)", kChains[rng.Below(std::size(kChains))], district(), i + 1);
    p.level = 0;
    p.kind = InstitutionKind::kPharmacy;
    p.admdvs = o.admdvs;
    out.push_back(std::move(p));
  }
  return out;
}

CommonItems CommonItems::Resolve(const Knowledge& k) {
  auto r = [&](std::string_view code) { return k.Require(code); };
  CommonItems c;
  c.consult = r("001102000010000");
  c.consult_senior = r("001102000010002");
  c.consult_internet = r("001102000060000");
  c.inpatient_consult = r("001109000010000");
  c.bed = r("001107000010001");
  c.bed_double = r("001107000010002");
  c.nursing2 = r("001201000040000");
  c.meal = r("001210000010000");
  c.iv_set = r("C1101045200060163960");
  c.cannula = r("C1005014160050131168");
  c.syringe = r("C1101045070050159861");
  c.gauze = r("C1101014550010143465");
  c.blood_count = r("002501010150000");
  c.liver = r("002503050010000");
  c.renal = r("002503070010000");
  c.lipids = r("002503030010000");
  c.ecg = r("003107010010000");
  c.dr = r("002101020150000");
  c.ct = r("002103000010000");
  c.ct_enhanced = r("002103000020000");
  c.b_ultrasound = r("002201000010000");
  c.big_dressing = r("001206000010000");
  c.small_dressing = r("001206000030000");
  c.suture = r("001215000010000");
  c.extraction = r("003105100060000");
  c.general_anaesthesia = r("003301000060000");
  c.sedation = r("003301000050000");
  c.oxygen = r("001208000010000");
  c.salbutamol = r("XR03ACB777C011010152403");
  c.tramadol = r("XN02AXH959A011010188101");
  c.paracetamol = r("XN02BED931A001010182609");
  c.ibuprofen_sr = r("XM01AEB917A021010179863");
  c.omeprazole = r("XA02BCK833A002010163387");
  c.amoxicillin = r("XJ01CAB007A002010101373");
  c.cefuroxime_tab = r("XJ01DCG042A001010108238");
  c.moxifloxacin = r("XJ01MAA140A001010127460");
  c.meropenem = r("XJ01DHD161B002010131579");
  c.smectite = r("XA07BCE868A061010170252");
  c.lianhua = r("ZA01BAD0481010111843");
  c.amlodipine = r("XC08CAH259A001010150801");
  c.acupuncture = r("004200000010000");
  c.exercise_therapy = r("003402000010000");
  c.folic_acid = r("XB03BBG022A001010100458");
  c.prenatal = r("003112010010000");
  c.ambroxol_inj = r("XR05CBK763B001010149657");
  c.amoxicillin_granules = r("XJ01CAC014A003010102746");
  c.levofloxacin = r("XJ01MAJ126A001010124714");
  c.sitagliptin = r("XA10BHB497A001010197483");
  c.clotrimazole = r("XG01AFB987A001010193593");
  c.psa = r("002504030090000");
  c.mri = r("002104000010000");
  c.ctpa = r("002103000070000");
  c.chemo_paclitaxel = r("XL01CDE588B001010115332");
  c.chemo_cisplatin = r("XL01XAG602B001010118078");
  c.chemo_oxaliplatin = r("XL01XAJ616B001010120824");
  c.chemo_pemetrexed = r("XL01BAF735B002010144165");
  c.capecitabine = r("XL01BCA630A001010123570");
  c.dialysis_session = r("003114000010000");
  c.hcg = r("002503100060000");
  c.fetal_ultrasound = r("002203010040000");
  c.child_granules = r("ZB01AAK1073010126419");
  return c;
}

Result<std::vector<std::string>> ParseCityCodes(std::string_view text, std::string_view file_name) {
  std::vector<std::string> codes;
  Diagnostics errors;
  CsvReader reader(text);
  CsvRow row;
  bool header = true;
  while (reader.Next(row)) {
    if (!row.error.empty()) {
      errors.push_back({std::string(file_name), row.line, "", row.error});
      continue;
    }
    if (header) {
      header = false;
      if (row.fields.empty() || row.fields[0] != "code")
        errors.push_back(
            {std::string(file_name), row.line, "code", "the first column must be 'code'"});
      continue;
    }
    const std::string& c = row.fields.empty() ? std::string() : row.fields[0];
    if (c.size() != 4 || c.find_first_not_of("0123456789") != std::string::npos) {
      errors.push_back(
          {std::string(file_name), row.line, "code", "'" + c + "' is not a 4-digit city code"});
      continue;
    }
    codes.push_back(c + "00");
  }
  if (!errors.empty()) return errors;
  return codes;
}

Result<std::vector<std::string>> LoadCityCodes(const std::string& path) {
  Result<std::string> text = ReadTextFile(path);
  if (!text) return text.errors();
  return ParseCityCodes(*text, path);
}

Result<GenSummary> Generate(const GenOptions& options, const GenInputs& inputs, GenSink& sink) {
  if (options.persons < 1) return Diagnostic{"", 0, "persons", "at least one person"};
  if (options.year < 1901 || options.year > 2199)
    return Diagnostic{"", 0, "year", "a year 1901..2199"};
  if (options.abuse_rate_ppm < 0 || options.abuse_rate_ppm > 30'000)
    return Diagnostic{"", 0, "abuse-rate", "a rate between 0 and 0.03 per family per visit"};
  if (options.admdvs.size() != 6) return Diagnostic{"", 0, "admdvs", "a 6-digit region code"};
  Result<Knowledge> knowledge = Knowledge::LoadBuiltin(options.admdvs);
  if (!knowledge) return knowledge.errors();

  GenContext g;
  g.options = options;
  g.options.threads = std::max(1, options.threads);
  g.knowledge = &*knowledge;
  g.profiles = BuiltinProfiles(*knowledge);
  g.items = CommonItems::Resolve(*knowledge);
  g.year_begin = Date::FromYmd(options.year, 1, 1);
  g.year_end = Date::FromYmd(options.year, 12, 31);
  DrgGrouper grouper;
  if (inputs.drg_spec && inputs.icd) {
    Diagnostics bad = CheckProfileCodes(g.profiles, *inputs.icd);
    if (!bad.empty()) return bad;
    grouper = DrgGrouper::Bind(inputs.drg_spec, inputs.icd);
    g.grouper = &grouper;
  }
  const std::string province = options.admdvs.substr(0, 2);
  for (const std::string& c : inputs.cities) {
    if (c == options.admdvs.substr(0, 4) + "00") continue;
    (c.substr(0, 2) == province ? g.same_province : g.other_provinces).push_back(c);
  }
  const int count = options.institutions > 0 ? std::max(8, options.institutions)
                                             : DefaultInstitutionCount(options.persons);
  g.institutions = MakeInstitutions(g.options, count);
  for (uint32_t i = 0; i < g.institutions.size(); ++i) {
    const Institution& inst = g.institutions[i];
    switch (inst.kind) {
      case InstitutionKind::kHospital:
        g.hospitals.push_back(i);
        g.hospitals_by_level[inst.level].push_back(i);
        g.hospital_weights.push_back(inst.level == 3 ? 6 : inst.level == 2 ? 3 : 1);
        break;
      case InstitutionKind::kClinic:
        g.clinics.push_back(i);
        break;
      case InstitutionKind::kPharmacy:
        g.pharmacies.push_back(i);
        break;
      case InstitutionKind::kInternet:
        g.internet.push_back(i);
        break;
    }
  }

  GenSummary summary;
  summary.persons = options.persons;
  summary.institutions = int64_t(g.institutions.size());
  sink.Write(GenFile::kInstitutions, "institutions.csv", InstitutionsCsv(g.institutions));
  sink.Write(GenFile::kCatalogue, "catalogue.csv", kBuiltinCatalogueCsv);
  for (const auto& [name, text] : knowledge->Files())
    sink.Write(GenFile::kKnowledge, "knowledge/" + name, text);
  sink.Write(GenFile::kPersons, "persons.csv", kPersonsHeader);
  sink.Write(GenFile::kVisits, "visits.csv", kVisitsHeader);
  sink.Write(GenFile::kFeeLines, "fee_lines.csv", kFeeLinesHeader);
  sink.Write(GenFile::kLabels, "labels.csv", kLabelsHeader);

  // Workers take blocks in order and hand their text back; this thread writes them in order.
  // At most a few blocks per worker wait to be written, so memory stays bounded.
  const int64_t blocks = (options.persons + kPersonsPerBlock - 1) / kPersonsPerBlock;
  const int64_t window = int64_t(g.options.threads) * 3;
  std::mutex mu;
  std::condition_variable ready, room;
  std::map<int64_t, BlockText> done;
  int64_t next_block = 0, next_write = 0;
  auto worker = [&] {
    for (;;) {
      int64_t block;
      {
        std::unique_lock lock(mu);
        room.wait(lock, [&] { return next_block >= blocks || next_block < next_write + window; });
        if (next_block >= blocks) return;
        block = next_block++;
      }
      BlockText text;
      BuildBlock(g, uint64_t(block), text);
      {
        std::lock_guard lock(mu);
        done.emplace(block, std::move(text));
      }
      ready.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < g.options.threads; ++t) threads.emplace_back(worker);
  for (int64_t b = 0; b < blocks; ++b) {
    BlockText text;
    {
      std::unique_lock lock(mu);
      ready.wait(lock, [&] { return done.count(b) > 0; });
      text = std::move(done[b]);
      done.erase(b);
      next_write = b + 1;
    }
    room.notify_all();
    sink.Write(GenFile::kPersons, "persons.csv", text.persons);
    sink.Write(GenFile::kVisits, "visits.csv", text.visits);
    sink.Write(GenFile::kFeeLines, "fee_lines.csv", text.lines);
    sink.Write(GenFile::kLabels, "labels.csv", text.labels);
    summary.visits += text.visit_count;
    summary.lines += text.line_count;
    summary.stays += text.stay_count;
    for (int f = 0; f < kFamilyCount; ++f) summary.injected[size_t(f)] += text.injected[size_t(f)];
    for (int f = 0; f < kFamilyCount; ++f)
      summary.labels[size_t(f)] += text.labels_per_family[size_t(f)];
    sink.Progress(b + 1, blocks, summary.visits);
  }
  for (std::thread& t : threads) t.join();
  return summary;
}

}  // namespace yibao::gen
