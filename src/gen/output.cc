#include "gen/output.h"

#include <algorithm>

#include "base/csv_reader.h"
#include "base/money.h"
#include "base/quantity.h"

namespace yibao::gen {

const char* const kPersonsHeader = "psn_no,gend,brdy,insutype,psn_type,insuplc_admdvs,death_date\n";
const char* const kInstitutionsHeader =
    "fixmedins_code,fixmedins_name,hosp_lv,fixmedins_type,admdvs\n";
const char* const kVisitsHeader =
    "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime,dept_codg,dscg_way,dise_codg,"
    "diag_codes,oprn_codes,insutype,mdtrtarea_admvs,medfee_sumamt,drg_code\n";
const char* const kFeeLinesHeader =
    "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt,sin_dos,"
    "used_frqu,prd_days,bilg_dept_codg,hosp_appr_flag\n";
const char* const kLabelsHeader = "family,mdtrt_id,feedetl_sn\n";

namespace {

void AppendUint(std::string& out, uint64_t v) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = char('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out += buf[--n];
}

void AppendPadded(std::string& out, uint64_t v, int width) {
  char buf[24];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = char('0' + v % 10);
    v /= 10;
  }
  out.append(buf, size_t(width));
}

// A non-negative scaled decimal without trailing zeros: 25000 with 4 decimals → "2.5".
void AppendScaled(std::string& out, int64_t v, int decimals, int64_t scale) {
  AppendUint(out, uint64_t(v / scale));
  int64_t frac = v % scale;
  if (frac == 0) return;
  char buf[8];
  for (int i = decimals - 1; i >= 0; --i) {
    buf[i] = char('0' + frac % 10);
    frac /= 10;
  }
  int len = decimals;
  while (len > 0 && buf[len - 1] == '0') --len;
  out += '.';
  out.append(buf, size_t(len));
}

void AppendDate(std::string& out, int32_t days) {
  int64_t z = int64_t(days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  AppendPadded(out, uint64_t(y), 4);
  out += '-';
  AppendPadded(out, uint64_t(m), 2);
  out += '-';
  AppendPadded(out, uint64_t(d), 2);
}

void AppendList(std::string& out, const std::vector<std::string_view>& items, size_t from) {
  for (size_t i = from; i < items.size(); ++i) {
    if (i > from) out += ';';
    out += items[i];
  }
}

}  // namespace

std::string InstitutionsCsv(const std::vector<Institution>& insts) {
  std::string out = "# 定点医药机构 of a generated region — SYNTHETIC DATA (docs/formats/gen.md)\n";
  out += kInstitutionsHeader;
  for (const Institution& i : insts) {
    out += i.code;
    out += ',';
    AppendCsvField(out, i.name);
    out += ',';
    AppendUint(out, uint64_t(i.level));
    out += ',';
    out += InstitutionKindName(i.kind);
    out += ',';
    out += i.admdvs;
    out += '\n';
  }
  return out;
}

void FormatBlock(const GenContext& g, BlockData& b, BlockText& out) {
  const Knowledge& k = *g.knowledge;
  for (const Person& p : b.persons) {
    out.persons += p.psn_no;
    out.persons += ',';
    AppendUint(out.persons, uint64_t(p.gend));
    out.persons += ',';
    AppendDate(out.persons, p.brdy.days());
    out.persons += ',';
    out.persons += p.insutype;
    out.persons += ',';
    out.persons += p.psn_type;
    out.persons += ',';
    out.persons += p.insuplc_admdvs;
    out.persons += ',';
    if (p.dead) AppendDate(out.persons, p.death_date.days());
    out.persons += '\n';
    ++out.persons_count;
  }
  out.injected = b.injected;
  uint64_t number = 0;
  std::string id;
  for (size_t pi = 0; pi < b.persons.size(); ++pi) {
    const Person& p = b.persons[pi];
    for (Visit& v : b.visits[pi]) {
      std::stable_sort(v.lines.begin(), v.lines.end(),
                       [](const Line& a, const Line& c) { return a.day < c.day; });
      id.clear();
      AppendPadded(id, uint64_t(g.options.year), 4);
      AppendPadded(id, b.index, 6);
      AppendPadded(id, ++number, 6);
      int64_t total_fen = 0;
      for (size_t li = 0; li < v.lines.size(); ++li) {
        const Line& l = v.lines[li];
        const Money amount = LineAmount(UnitPrice::MicroYuan(l.price), Quantity::Raw(l.cnt));
        total_fen += amount.fen();
        std::string& o = out.lines;
        o += id;
        o += ',';
        AppendUint(o, li + 1);
        o += ',';
        AppendDate(o, l.day);
        o += ',';
        o += k.item(l.item).code;
        o += ',';
        AppendScaled(o, l.cnt, 4, Quantity::kScale);
        o += ',';
        AppendScaled(o, l.price, 6, UnitPrice::kScale);
        o += ',';
        amount.AppendTo(o);
        o += ',';
        if (l.sin_dos >= 0) AppendScaled(o, l.sin_dos, 4, Quantity::kScale);
        o += ',';
        if (l.used_frqu >= 0) AppendUint(o, uint64_t(l.used_frqu));
        o += ',';
        if (l.prd_days >= 0) AppendUint(o, uint64_t(l.prd_days));
        o += ',';
        o += kDepartments[l.dept];
        o += ',';
        o += l.approved ? '1' : '0';
        o += '\n';
        ++out.line_count;
        if (l.label != kNoLabel) {
          out.labels += FamilyName(Family(l.label));
          out.labels += ',';
          out.labels += id;
          out.labels += ',';
          AppendUint(out.labels, li + 1);
          out.labels += '\n';
          ++out.labels_per_family[size_t(l.label)];
        }
      }
      for (Family f : v.labels) {
        out.labels += FamilyName(f);
        out.labels += ',';
        out.labels += id;
        out.labels += ",\n";
        ++out.labels_per_family[size_t(f)];
      }
      std::string& o = out.visits;
      o += id;
      o += ',';
      o += p.psn_no;
      o += ',';
      o += g.institutions[v.inst].code;
      o += ',';
      AppendUint(o, v.med_type);
      o += ',';
      AppendDate(o, v.begin.days());
      o += ',';
      AppendDate(o, v.end.days());
      o += ',';
      o += kDepartments[v.dept];
      o += ',';
      if (v.dscg_way) AppendUint(o, v.dscg_way);
      o += ',';
      o += v.dx.empty() ? std::string_view() : v.dx[0];
      o += ',';
      AppendList(o, v.dx, 1);
      o += ',';
      AppendList(o, v.procs, 0);
      o += ',';
      o += v.insutype;
      o += ',';
      o += g.options.admdvs;
      o += ',';
      Money::Fen(total_fen).AppendTo(o);
      o += ',';
      o += v.drg;
      o += '\n';
      ++out.visit_count;
      if (v.inpatient()) ++out.stay_count;
    }
  }
}

}  // namespace yibao::gen
