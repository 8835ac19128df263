// Validators of the national code formats (国家医保信息业务编码) that the settlement core receives
// from hospitals and pharmacies. They check shape only, not membership of a table: "K80.101" is a
// well- formed diagnosis code whether or not the 2.0 table has it (see IcdTable for that).
//
// Each returns nullopt when the code is well formed, otherwise a short English reason meant to be
// put into a Diagnostic next to the field that held the code. No allocation happens on success.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yibao {

enum class CodeKind : uint8_t {
  kDiagnosis,    // ICD-10 医保版 2.0 (`diag_code`)
  kProcedure,    // ICD-9-CM-3 医保版 2.0 (`oprn_oprt_code`)
  kDrug,         // 西药/中成药 (`med_list_codg` starting X or Z)
  kConsumable,   // 医用耗材 (C + 19)
  kServiceItem,  // 医疗服务项目
  kInstitution,  // 定点医药机构 (`fixmedins_code`)
  kAdmdvs,       // 医保区划 (GB/T 2260, 6 digits)
};

const char* CodeKindName(CodeKind kind);  // "diagnosis", "procedure", ...

// ICD-10 医保版 2.0, e.g. A00, A00.0, K80.101, A00.100x001. Beyond the textbook shape, the national
// 2.0 table itself uses two more forms, accepted here so that real rows are never rejected:
//   - 'x' in place of the subcategory digit for categories without subdivision: A35.x00, B24.x01;
//   - a dagger code followed by its asterisk (manifestation) code: A17.000+G01*, A01.001+K77.0*.
std::optional<std::string> CheckDiagnosisCode(std::string_view code);

// ICD-9-CM-3 医保版 2.0, e.g. 51.2300, 00.0200x001. The national 2.0 table also uses:
//   - 'x' as the subcategory digit: 01.6x00, 03.4x00x001;
//   - five characters after the point for the 17.9 traditional-Chinese-medicine extension, the
//   fourth
//     of which may be an uppercase letter: 17.91100, 17.912A0;
//   - an extension of four digits after 'x' (two rows: 86.700x0013, 86.700x0014).
std::optional<std::string> CheckProcedureCode(std::string_view code);

// 'X' (西药) or 'Z' (中成药) then uppercase letters and digits, 20 or 23 characters in all,
// e.g. XA01ABD075A002010100483.
std::optional<std::string> CheckDrugCode(std::string_view code);

// 'C' then 19 uppercase letters or digits, e.g. C0301010010000011710.
std::optional<std::string> CheckConsumableCode(std::string_view code);

// 9 to 20 characters, a digit first, then digits or uppercase letters: the national items
// (001101000010000, 120100001) and regional ones that append letters.
std::optional<std::string> CheckServiceItemCode(std::string_view code);

// `fixmedins_code`: 'H' (hospital) or 'P' (pharmacy) then 11 digits, e.g. H37010200001.
std::optional<std::string> CheckInstitutionCode(std::string_view code);

// Exactly 6 digits, e.g. 370102. Whether the division exists is AdmdvsTable's business.
std::optional<std::string> CheckAdmdvs(std::string_view code);

std::optional<std::string> CheckCode(CodeKind kind, std::string_view code);

}  // namespace yibao
