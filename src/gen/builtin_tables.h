// The data the generator starts from, as CSV texts compiled into the program: the catalogue it
// writes, what it knows about each item (price charged, category, limits of the knowledge base)
// and the knowledge-base tables of docs/formats/claims.md. They are data, kept in .cc files so that
// a region is reproducible from the seed alone; knowledge.h parses and checks them.
#pragma once

namespace yibao::gen {

// catalogue.csv (docs/formats/catalogue.md).
extern const char* const kBuiltinCatalogueCsv;

// code,price,category,per_day,max_sin_dos,max_daily_freq,max_daily_qty,max_visit_qty,
// max_course_days,max_annual_amount,procurement_price,max_markup,secondary_ratio — `price` is what
// institutions charge per unit in normal care; the other columns are knowledge/items.csv's. Items
// not listed take their category from their kind and code, and no limits.
extern const char* const kBuiltinItemFactsCsv;

// knowledge/includes.csv, requires.csv, bundles.csv, substitution.csv, step_therapy.csv,
// diagnosis_evidence.csv, mild_diagnoses.csv, written as they are.
extern const char* const kBuiltinIncludesCsv;
extern const char* const kBuiltinRequiresCsv;
extern const char* const kBuiltinBundlesCsv;
extern const char* const kBuiltinSubstitutionCsv;
extern const char* const kBuiltinStepTherapyCsv;
extern const char* const kBuiltinDiagnosisEvidenceCsv;
extern const char* const kBuiltinMildDiagnosesCsv;

}  // namespace yibao::gen
