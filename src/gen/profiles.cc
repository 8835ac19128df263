#include "gen/profiles.h"

#include <fmt/format.h>

namespace yibao::gen {

namespace {

// Items by name (catalogue codes).
constexpr std::string_view kAmoxicillin = "XJ01CAB007A002010101373";
constexpr std::string_view kAmoxicillinGranules = "XJ01CAC014A003010102746";
constexpr std::string_view kCefuroximeTab = "XJ01DCG042A001010108238";
constexpr std::string_view kCeftriaxone = "XJ01DDA070B002010113730";
constexpr std::string_view kCefuroximeInj = "XJ01DCB077B002010115103";
constexpr std::string_view kCeftazidime = "XJ01DDC084B002010116476";
constexpr std::string_view kMeropenem = "XJ01DHD161B002010131579";
constexpr std::string_view kAzithromycin = "XJ01FAE098A001010119222";
constexpr std::string_view kLevofloxacin = "XJ01MAJ126A001010124714";
constexpr std::string_view kNifedipine = "XC08CAG252A011010149428";
constexpr std::string_view kAmlodipine = "XC08CAH259A001010150801";
constexpr std::string_view kIrbesartan = "XC09CAJ266A001010152174";
constexpr std::string_view kValsartan = "XC09CAK273A002010153547";
constexpr std::string_view kLosartan = "XC09CAA280A001010154920";
constexpr std::string_view kMetoprolol = "XC07ABG322A011010163158";
constexpr std::string_view kHctz = "XC03AAJ336A001010165904";
constexpr std::string_view kAtorvastatin = "XC10AAB357A001010170023";
constexpr std::string_view kRosuvastatin = "XC10AAC364A001010171396";
constexpr std::string_view kAspirin = "XB01ACG392A012010176888";
constexpr std::string_view kClopidogrel = "XB01ACH399A001010178261";
constexpr std::string_view kTicagrelor = "XB01ACJ406A001010179634";
constexpr std::string_view kHeparinLmw = "XB01ABB427B001010183753";
constexpr std::string_view kIsmn = "XC01DAD441A011010186499";
constexpr std::string_view kMetformin = "XA10BAG462A001010190618";
constexpr std::string_view kMetforminSr = "XA10BAH469A011010191991";
constexpr std::string_view kGlimepiride = "XA10BBJ476A001010193364";
constexpr std::string_view kAcarbose = "XA10BFA490A001010196110";
constexpr std::string_view kSitagliptin = "XA10BHB497A001010197483";
constexpr std::string_view kDapagliflozin = "XA10BKC504A001010198856";
constexpr std::string_view kInsulin30R = "XA10ADF525B001010102975";
constexpr std::string_view kSacubitril = "XC09DXA350A001010168650";
constexpr std::string_view kSalbutamol = "XR03ACB777C011010152403";
constexpr std::string_view kBudesonideFormoterol = "XR03AKC784C012010153776";
constexpr std::string_view kTiotropium = "XR03BBD791C013010155149";
constexpr std::string_view kAmbroxolTab = "XR05CBJ756A001010148284";
constexpr std::string_view kAmbroxolInj = "XR05CBK763B001010149657";
constexpr std::string_view kAmbroxolSyrupChild = "XR05CBA770A043010151030";
constexpr std::string_view kBudesonideNeb = "XR03BAH819A041010160641";
constexpr std::string_view kOmeprazole = "XA02BCK833A002010163387";
constexpr std::string_view kOmeprazoleInj = "XA02BCA840B002010164760";
constexpr std::string_view kSmectite = "XA07BCE868A061010170252";
constexpr std::string_view kBifido = "XA07FAK903A002010177117";
constexpr std::string_view kIbuprofenSr = "XM01AEB917A021010179863";
constexpr std::string_view kIbuprofenSusp = "XM01AEC924A041010181236";
constexpr std::string_view kParacetamol = "XN02BED931A001010182609";
constexpr std::string_view kClotrimazole = "XG01AFB987A001010193593";
constexpr std::string_view kOxytocin = "XH01BBF015B001010199085";
constexpr std::string_view kFolicAcid = "XB03BBG022A001010100458";
constexpr std::string_view kTamsulosin = "XG04CAJ036A021010103204";
constexpr std::string_view kFinasteride = "XG04CBK043A001010104577";
constexpr std::string_view kAlendronate = "XM05BAB567A001010111213";
constexpr std::string_view kCalcitriol = "XA11CCC574A022010112586";
constexpr std::string_view kMecobalamin = "XB03BAA120A001010119680";
constexpr std::string_view kButylphthalide = "XN07XXJ106A022010116934";
constexpr std::string_view kEdaravone = "XN07XXK113B001010118307";
constexpr std::string_view kEpo = "XB03XAG232B001010141648";
constexpr std::string_view kPaclitaxel = "XL01CDE588B001010115332";
constexpr std::string_view kCisplatin = "XL01XAG602B001010118078";
constexpr std::string_view kOxaliplatin = "XL01XAJ616B001010120824";
constexpr std::string_view kPemetrexed = "XL01BAF735B002010144165";
constexpr std::string_view kOndansetron = "XA04AAG742A001010145538";
constexpr std::string_view kSaline = "XB05BBJ176B001010130664";
constexpr std::string_view kGlucose = "XB05BAK183B001010132037";
constexpr std::string_view kGlucoseSaline = "XB05BBA190B001010133410";
constexpr std::string_view kLianhua = "ZA01BAD0481010111843";
constexpr std::string_view kBanlangen = "ZA01BAE0518010112754";
constexpr std::string_view kChildGranules = "ZB01AAK1073010126419";
constexpr std::string_view kDanshen = "ZA06BAB0037010100911";
constexpr std::string_view kBailing = "ZA12CAH0999010124597";
constexpr std::string_view kLevoEyeDrops = "XS01AEA260C001010147140";
constexpr std::string_view kMethylpred = "XH02ABH169B002010129291";
constexpr std::string_view kCelecoxib = "XM01AHG952A002010186728";

constexpr std::string_view kOutpatientConsult = "001102000010000";
constexpr std::string_view kIvDrip = "001204000060000";
constexpr std::string_view kIm = "001204000010000";
constexpr std::string_view kNebulise = "001213000010000";
constexpr std::string_view kOxygen = "001208000010000";
constexpr std::string_view kCatheter = "001211000010000";
constexpr std::string_view kBigDressing = "001206000010000";
constexpr std::string_view kSmallDressing = "001206000030000";
constexpr std::string_view kSuture = "001215000010000";
constexpr std::string_view kTransfusion = "001212000010000";
constexpr std::string_view kDr = "002101020150000";
constexpr std::string_view kCt = "002103000010000";
constexpr std::string_view kCtEnhanced = "002103000020000";
constexpr std::string_view kMri = "002104000010000";
constexpr std::string_view kBUltrasound = "002201000010000";
constexpr std::string_view kColourDoppler = "002203000010000";
constexpr std::string_view kEcho = "002206000010000";
constexpr std::string_view kFetalUltrasound = "002203010040000";
constexpr std::string_view kEcg = "003107010010000";
constexpr std::string_view kHolter = "003107010080000";
constexpr std::string_view kGastroscopy = "003109030020000";
constexpr std::string_view kSedation = "003301000050000";
constexpr std::string_view kBloodCount = "002501010150000";
constexpr std::string_view kUrine = "002501020350000";
constexpr std::string_view kStool = "002501030010000";
constexpr std::string_view kLiver = "002503050010000";
constexpr std::string_view kRenal = "002503070010000";
constexpr std::string_view kLipids = "002503030010000";
constexpr std::string_view kGlucoseTest = "002503020010000";
constexpr std::string_view kHba1c = "002503020030000";
constexpr std::string_view kCoag = "002502030010000";
constexpr std::string_view kCrp = "002504010300000";
constexpr std::string_view kPct = "002504010470000";
constexpr std::string_view kCea = "002504030020000";
constexpr std::string_view kPsa = "002504030090000";
constexpr std::string_view kHcg = "002503100060000";
constexpr std::string_view kHbv = "002504020010000";
constexpr std::string_view kElectrolytes = "002503040010000";
constexpr std::string_view kBloodGas = "002503010060000";
constexpr std::string_view kBnp = "002503100120000";
constexpr std::string_view kCreatinine = "002503070010102";
constexpr std::string_view kAlt = "002503050010101";
constexpr std::string_view kDialysis = "003114000010000";
constexpr std::string_view kAcupuncture = "004200000010000";
constexpr std::string_view kElectroAcupuncture = "004200000060000";
constexpr std::string_view kExerciseTherapy = "003402000010000";
constexpr std::string_view kHemiplegiaTraining = "003402000040000";
constexpr std::string_view kAppendectomy = "003310030010000";
constexpr std::string_view kLapChole = "003310040040000";
constexpr std::string_view kCataract = "003304040060000";
constexpr std::string_view kOrif = "003315030010000";
constexpr std::string_view kHip = "003315060030000";
constexpr std::string_view kKnee = "003315060110000";
constexpr std::string_view kAngiography = "003205000010000";
constexpr std::string_view kPci = "003205000040000";
constexpr std::string_view kDelivery = "003312040010000";
constexpr std::string_view kCaesarean = "003312050010000";
constexpr std::string_view kGeneralAnaesthesia = "003301000060000";
constexpr std::string_view kLocalAnaesthesia = "003301000010000";
constexpr std::string_view kLabourAnalgesia = "003301000170000";
constexpr std::string_view kExtraction = "003105100060000";
constexpr std::string_view kLobectomy = "003307030010000";
constexpr std::string_view kMastectomy = "003311010050000";
constexpr std::string_view kPrenatal = "003112010010000";
constexpr std::string_view kFetalMonitor = "003112010040000";
constexpr std::string_view kStent = "C0101010390040112297";
constexpr std::string_view kBalloon = "C0101020520050116396";
constexpr std::string_view kGuideWire = "C0104011300040140990";
constexpr std::string_view kLens = "C0801012990030194277";
constexpr std::string_view kHipProsthesis = "C0301011560060149188";
constexpr std::string_view kPlate = "C0303012340050173782";
constexpr std::string_view kDialyser = "C0701013770020118871";
constexpr std::string_view kDialysisLines = "C0701023900030122970";
constexpr std::string_view kHaemostaticGauze = "C1002013510070110673";
constexpr std::string_view kGauze = "C1101014550010143465";
constexpr std::string_view kCatheterKit = "C1101055330070168059";

std::vector<OutpatientProfile> Outpatient() {
  std::vector<OutpatientProfile> v;
  v.push_back({.name = "urti",
               .dept = "A03",
               .dx = {"J06.900", "J00.x00", "J02.900"},
               .rates = {2700, 1260, 630, 540, 720},
               .items = {{kBloodCount, 55}, {kCrp, 35}},
               .drugs = {{kChildGranules, 70, 1, 3},
                         {kIbuprofenSusp, 40, 1, 3},
                         {kAmoxicillinGranules, 30, 2, 3},
                         {kLianhua, 50, 4, 3},
                         {kParacetamol, 40, 1, 3},
                         {kAmoxicillin, 25, 2, 3},
                         {kCefuroximeTab, 15, 1, 2},
                         {kBanlangen, 30, 1, 3}},
               .days_lo = 3,
               .days_hi = 5,
               .clinic_pct = 60,
               .internet_pct = 4,
               .pharmacy_pct = 25,
               .followup_pct = 10});
  v.push_back({.name = "bronchitis",
               .dept = "A03.01",
               .dx = {"J20.900"},
               .rates = {360, 270, 144, 180, 270},
               .items = {{kBloodCount, 60}, {kDr, 30}, {kNebulise, 20, 1, 3}},
               .drugs = {{kAmbroxolSyrupChild, 60, 1, 2},
                         {kAmbroxolTab, 70, 1, 3},
                         {kAzithromycin, 35, 2, 1},
                         {kCefuroximeTab, 25, 1, 2},
                         {kBudesonideNeb, 20, 1, 2}},
               .days_lo = 5,
               .days_hi = 7,
               .clinic_pct = 45,
               .followup_pct = 25});
  v.push_back(
      {.name = "pneumonia_outpatient",
       .dept = "A03.01",
       .dx = {"J18.900"},
       .rates = {90, 54, 27, 36, 72},
       .items = {{kDr, 95}, {kBloodCount, 95}, {kCrp, 80}},
       .drugs = {{kAzithromycin, 60, 2, 1}, {kLevofloxacin, 50, 1, 1}, {kAmbroxolTab, 60, 1, 3}},
       .days_lo = 5,
       .days_hi = 7,
       .clinic_pct = 20,
       .followup_pct = 50});
  v.push_back({.name = "gastritis",
               .dept = "A03.02",
               .dx = {"K29.100x001", "K29.101"},
               .rates = {0, 36, 180, 216, 180},
               .items = {{kGastroscopy, 12}},
               .drugs = {{kOmeprazole, 90, 1, 2}, {kSmectite, 20, 1, 3}},
               .days_lo = 7,
               .days_hi = 14,
               .clinic_pct = 50,
               .internet_pct = 5,
               .pharmacy_pct = 20,
               .followup_pct = 15});
  v.push_back({.name = "gastroenteritis",
               .dept = "A03.02",
               .dx = {"A09.001", "A09.004", "K52.900"},
               .rates = {540, 180, 108, 90, 108},
               .items = {{kStool, 70}, {kBloodCount, 50}},
               .drugs = {{kSmectite, 90, 1, 3}, {kBifido, 60, 2, 2}},
               .days_lo = 3,
               .days_hi = 5,
               .clinic_pct = 60,
               .pharmacy_pct = 15});
  v.push_back({.name = "back_pain",
               .dept = "A50",
               .dx = {"M54.500", "M54.502"},
               .rates = {0, 9, 144, 270, 270},
               .age_lo = 12,
               .items = {{kAcupuncture, 45, 1, 2}, {kElectroAcupuncture, 20, 1, 1}, {kDr, 20}},
               .drugs = {{kIbuprofenSr, 50, 1, 2}, {kCelecoxib, 30, 1, 1}},
               .days_lo = 5,
               .days_hi = 10,
               .clinic_pct = 50,
               .followup_pct = 30});
  v.push_back({.name = "headache",
               .dept = "A03.03",
               .dx = {"R51.x00"},
               .rates = {0, 36, 72, 72, 54},
               .items = {{kCt, 10}},
               .drugs = {{kParacetamol, 80, 1, 2}},
               .days_lo = 3,
               .days_hi = 5,
               .clinic_pct = 50,
               .pharmacy_pct = 20});
  v.push_back({.name = "dermatitis",
               .dept = "A13",
               .dx = {"L30.900"},
               .rates = {144, 90, 90, 72, 72},
               .drugs = {{"XD06AXF295A099010154005", 80, 1, 2, 1}},
               .clinic_pct = 40,
               .pharmacy_pct = 10});
  v.push_back({.name = "conjunctivitis",
               .dept = "A10",
               .dx = {"H10.900"},
               .rates = {108, 72, 54, 45, 45},
               .drugs = {{kLevoEyeDrops, 90, 1, 4, 1}},
               .days_lo = 7,
               .days_hi = 7,
               .clinic_pct = 40});
  v.push_back({.name = "wound",
               .dept = "A04",
               .dx = {"S01.000", "T14.100"},
               .rates = {54, 90, 72, 54, 54},
               .items = {{kSuture, 80, 1, 2}, {kSmallDressing, 60, 1, 1}, {kGauze, 80, 2, 4}},
               .procs = {"86.5900x006"},
               .clinic_pct = 50,
               .followup_pct = 40,
               .secondary_ratio_item = 0});
  v.push_back({.name = "dental",
               .dept = "A12",
               .dx = {"K04.000", "K02.100"},
               .rates = {36, 144, 108, 108, 90},
               .items = {{kExtraction, 70, 1, 2}, {kLocalAnaesthesia, 60, 1, 1}},
               .drugs = {{kAmoxicillin, 40, 2, 3}},
               .days_lo = 3,
               .days_hi = 3,
               .procs = {"23.0900x003"},
               .clinic_pct = 40,
               .secondary_ratio_item = 0});
  v.push_back({.name = "uti",
               .dept = "A03.06",
               .dx = {"N39.000"},
               .rates = {0, 18, 108, 90, 108},
               .sex = 2,
               .items = {{kUrine, 95}, {kBloodCount, 40}},
               .drugs = {{kLevofloxacin, 60, 1, 1}, {kCefuroximeTab, 40, 1, 2}},
               .days_lo = 3,
               .days_hi = 7,
               .clinic_pct = 50});
  v.push_back({.name = "vaginitis",
               .dept = "A05.01",
               .dx = {"N76.000"},
               .rates = {0, 0, 108, 54, 9},
               .sex = 2,
               .age_lo = 15,
               .drugs = {{kClotrimazole, 100, 1, 1}},
               .days_lo = 6,
               .days_hi = 7,
               .clinic_pct = 40});
  v.push_back({.name = "bph",
               .dept = "A04",
               .dx = {"N40.x00"},
               .rates = {0, 0, 0, 72, 216},
               .sex = 1,
               .age_lo = 50,
               .items = {{kPsa, 60}, {kBUltrasound, 60}},
               .drugs = {{kTamsulosin, 80, 1, 1}, {kFinasteride, 40, 1, 1}},
               .days_lo = 28,
               .days_hi = 30,
               .clinic_pct = 20});
  v.push_back({.name = "osteoporosis",
               .dept = "A03.07",
               .dx = {"M81.000"},
               .rates = {0, 0, 0, 72, 162},
               .sex = 2,
               .age_lo = 55,
               .items = {{"002208000010000", 40}},
               .drugs = {{kCalcitriol, 80, 1, 1}, {kAlendronate, 40, 1, 1}},
               .days_lo = 28,
               .days_hi = 28,
               .clinic_pct = 30});
  v.push_back({.name = "stroke_rehab",
               .dept = "A21",
               .dx = {"I69.300"},
               .rates = {0, 0, 5, 27, 63},
               .age_lo = 40,
               .items = {{kExerciseTherapy, 100, 1, 2}, {kHemiplegiaTraining, 60, 1, 1}},
               .drugs = {{kAspirin, 60, 1, 1}},
               .days_lo = 28,
               .days_hi = 30,
               .clinic_pct = 0,
               .followup_pct = 60});
  v.push_back({.name = "pharmacy_remedies",
               .dept = "",
               .dx = {"J06.900", "K29.101", "M54.500"},
               .rates = {0, 150, 600, 800, 900},
               .age_lo = 6,
               .drugs = {{kLianhua, 40, 4, 3},
                         {kBanlangen, 30, 1, 3},
                         {kOmeprazole, 25, 1, 2},
                         {kIbuprofenSr, 25, 1, 2},
                         {kSmectite, 15, 1, 3}},
               .days_lo = 3,
               .days_hi = 7,
               .pharmacy_pct = 100});
  return v;
}

std::vector<StayProfile> Stays() {
  std::vector<StayProfile> v;
  const std::vector<ItemRx> kLabs = {{kBloodCount, 100},  {kUrine, 80}, {kLiver, 85}, {kRenal, 85},
                                     {kElectrolytes, 70}, {kCoag, 60},  {kEcg, 80},   {kCrp, 40}};
  auto labs = [&](std::vector<ItemRx> extra) {
    std::vector<ItemRx> all = kLabs;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };
  v.push_back({.name = "pneumonia",
               .dept = "A03.01",
               .dx = {"J18.900", "J18.000"},
               .secondary = {{"J15.000", 8}, {"A41.900", 2}},
               .rates = {52, 13, 6, 13, 62},
               .los_lo = 5,
               .los_hi = 11,
               .admission = labs({{kDr, 95}, {kPct, 50}, {kCt, 30}}),
               .daily = {{kCeftriaxone, 100, 2, 1, 0, 2},
                         {kCeftriaxone, 75, 2, 1, 3, -1},
                         {kAmbroxolInj, 70, 1, 2},
                         {kSaline, 100, 1, 2},
                         {kIvDrip, 100, 1, 2},
                         {kOxygen, 40, 4, 2, 0, 3},
                         {kNebulise, 40, 1, 2}}});
  v.push_back({.name = "pneumonia_severe",
               .dept = "A03.01",
               .dx = {"J18.900"},
               .secondary = {{"J15.000", 20}, {"A41.900", 10}, {"I50.900", 10}},
               .rates = {6, 3, 3, 4, 17},
               .min_level = 2,
               .los_lo = 9,
               .los_hi = 16,
               .nursing = "001201000030000",
               .admission = labs({{kDr, 100}, {kPct, 90}, {kCt, 60}, {kBloodGas, 60}}),
               .daily = {{kCeftriaxone, 100, 2, 1, 0, 2},
                         {kMeropenem, 100, 2, 3, 3, -1},
                         {kAmbroxolInj, 80, 1, 2},
                         {kSaline, 100, 2, 2},
                         {kIvDrip, 100, 2, 2},
                         {kOxygen, 90, 6, 2}}});
  v.push_back({.name = "copd",
               .dept = "A03.01",
               .dx = {"J44.100"},
               .secondary = {{"I50.900", 12}, {"J15.000", 5}},
               .rates = {0, 0, 3, 21, 94},
               .age_lo = 40,
               .los_lo = 7,
               .los_hi = 13,
               .admission = labs({{kDr, 95}, {kBloodGas, 70}, {kCt, 30}}),
               .daily = {{kCeftriaxone, 60, 2, 1, 0, 6},
                         {kLevofloxacin, 40, 1, 1, 0, 6},
                         {kAmbroxolInj, 80, 1, 2},
                         {kMethylpred, 50, 1, 1, 0, 4},
                         {kBudesonideNeb, 80, 1, 2},
                         {kNebulise, 80, 1, 2},
                         {kOxygen, 90, 4, 3},
                         {kSaline, 100, 1, 2},
                         {kIvDrip, 100, 1, 2}}});
  v.push_back({.name = "stroke",
               .dept = "A03.03",
               .dx = {"I63.900", "I63.902"},
               .secondary = {{"J15.000", 3}},
               .rates = {0, 0, 3, 25, 94},
               .age_lo = 35,
               .los_lo = 10,
               .los_hi = 18,
               .nursing = "001201000030000",
               .admission = labs({{kCt, 100}, {kMri, 60}, {kColourDoppler, 50}, {kLipids, 80}}),
               .daily = {{kEdaravone, 60, 1, 2, 0, 13},
                         {kButylphthalide, 60, 2, 3, 0, 19},
                         {kAspirin, 90, 1, 1},
                         {kAtorvastatin, 85, 1, 1},
                         {kSaline, 100, 1, 2},
                         {kIvDrip, 100, 1, 2},
                         {kHemiplegiaTraining, 60, 1, 1, 4, -1, true}}});
  v.push_back({.name = "chd_pci",
               .dept = "A03.04",
               .dx = {"I20.000", "I25.103"},
               .secondary = {{"I50.900", 8}},
               .procs = {"36.0700", "00.6600x004", "88.5600"},
               .rates = {0, 0, 3, 21, 46},
               .age_lo = 35,
               .min_level = 2,
               .los_lo = 4,
               .los_hi = 8,
               .surgery_day = 1,
               .admission = labs({{kEcho, 90}, {kLipids, 90}, {kHolter, 30}}),
               .surgery = {{kAngiography, 100},
                           {kPci, 100},
                           {kStent, 100, 1, 2},
                           {kBalloon, 100},
                           {kGuideWire, 100}},
               .daily = {{kAspirin, 100, 1, 1},
                         {kTicagrelor, 50, 1, 2},
                         {kClopidogrel, 50, 1, 1},
                         {kAtorvastatin, 90, 1, 1},
                         {kHeparinLmw, 60, 1, 2, 0, 3},
                         {kSaline, 80, 1, 1},
                         {kIvDrip, 80, 1, 1}}});
  v.push_back({.name = "heart_failure",
               .dept = "A03.04",
               .dx = {"I50.900"},
               .rates = {0, 0, 3, 10, 62},
               .age_lo = 40,
               .los_lo = 6,
               .los_hi = 12,
               .admission = labs({{kEcho, 100}, {kBnp, 100}, {kDr, 80}}),
               .daily = {{kSacubitril, 70, 1, 2},
                         {kMetoprolol, 70, 1, 1},
                         {kDapagliflozin, 40, 1, 1},
                         {kHctz, 50, 1, 1},
                         {kOxygen, 60, 4, 2},
                         {kSaline, 60, 1, 1},
                         {kIvDrip, 60, 1, 1}}});
  v.push_back(
      {.name = "diabetes",
       .dept = "A03.07",
       .dx = {"E11.900", "E11.400"},
       .rates = {0, 0, 4, 21, 42},
       .age_lo = 25,
       .los_lo = 7,
       .los_hi = 12,
       .admission = labs({{kHba1c, 100}, {kLipids, 90}, {kColourDoppler, 40}, {kInsulin30R, 80}}),
       .daily = {{kMetformin, 70, 1, 3},
                 {kMecobalamin, 100, 1, 3},
                 {kGlucoseTest, 100, 1, 1},
                 {kSaline, 50, 1, 1},
                 {kIvDrip, 50, 1, 1}}});
  v.push_back({.name = "hip_fracture",
               .dept = "A04.07",
               .dx = {"S72.000"},
               .secondary = {{"D62.x00", 15}},
               .procs = {"81.5100"},
               .rates = {0, 0, 0, 4, 25},
               .age_lo = 55,
               .min_level = 2,
               .los_lo = 8,
               .los_hi = 15,
               .surgery_day = 2,
               .nursing = "001201000030000",
               .admission = labs({{kDr, 100}, {kCt, 60}}),
               .surgery = {{kHip, 100},
                           {kGeneralAnaesthesia, 100},
                           {kHipProsthesis, 100},
                           {kCatheter, 60},
                           {kCatheterKit, 60}},
               .daily = {{kCefuroximeInj, 100, 1, 2, 2, 4},
                         {kHeparinLmw, 100, 1, 1, 3, 12},
                         {kSaline, 100, 1, 2},
                         {kIvDrip, 100, 1, 2},
                         {kBigDressing, 50, 1, 1, 4, 6}}});
  v.push_back({.name = "fracture_orif",
               .dept = "A04.07",
               .dx = {"S52.500x001", "S72.000"},
               .secondary = {{"D62.x00", 5}},
               .procs = {"79.3500x016"},
               .rates = {6, 13, 8, 10, 13},
               .los_lo = 5,
               .los_hi = 12,
               .surgery_day = 1,
               .admission = labs({{kDr, 100}, {kCt, 40}}),
               .surgery = {{kOrif, 100}, {kGeneralAnaesthesia, 100}, {kPlate, 100}},
               .daily = {{kCefuroximeInj, 100, 1, 2, 1, 3},
                         {kSaline, 100, 1, 2},
                         {kIvDrip, 100, 1, 2},
                         {kBigDressing, 40, 1, 1, 3, 5}}});
  v.push_back(
      {.name = "appendicitis",
       .dept = "A04.01",
       .dx = {"K35.800"},
       .procs = {"47.0100"},
       .rates = {4, 25, 21, 8, 6},
       .age_lo = 3,
       .los_lo = 3,
       .los_hi = 7,
       .surgery_day = 0,
       .admission = labs({{kBUltrasound, 70}, {kCt, 40}}),
       .surgery = {{kAppendectomy, 100}, {kGeneralAnaesthesia, 100}, {kHaemostaticGauze, 20}},
       .daily = {{kCefuroximeInj, 100, 1, 2, 0, 3},
                 {kSaline, 100, 1, 2},
                 {kGlucoseSaline, 70, 1, 1, 0, 2},
                 {kIvDrip, 100, 1, 2}}});
  v.push_back({.name = "cholelithiasis",
               .dept = "A04.01",
               .dx = {"K80.100x001", "K80.101"},
               .procs = {"51.2300"},
               .rates = {0, 0, 8, 21, 21},
               .age_lo = 20,
               .min_level = 2,
               .los_lo = 3,
               .los_hi = 7,
               .surgery_day = 1,
               .admission = labs({{kColourDoppler, 100}, {kCt, 30}}),
               .surgery = {{kLapChole, 100}, {kGeneralAnaesthesia, 100}, {kHaemostaticGauze, 30}},
               .daily = {{kCefuroximeInj, 90, 1, 2, 1, 2},
                         {kOmeprazoleInj, 60, 1, 1, 1, 3},
                         {kSaline, 100, 1, 2},
                         {kIvDrip, 100, 1, 2}}});
  v.push_back({.name = "cataract",
               .dept = "A10",
               .dx = {"H25.900", "H25.100"},
               .procs = {"13.4100x001", "13.7100x001"},
               .rates = {0, 0, 0, 13, 62},
               .age_lo = 50,
               .los_lo = 1,
               .los_hi = 3,
               .surgery_day = 0,
               .nursing = "001201000050000",
               .admission = {{kBloodCount, 100}, {kCoag, 80}, {kEcg, 90}, {kHbv, 60}},
               .surgery = {{kCataract, 100}, {kLens, 100}, {kLocalAnaesthesia, 100}},
               .daily = {{kLevoEyeDrops, 100, 1, 1, 0, 0}}});
  v.push_back({.name = "knee_replacement",
               .dept = "A04.07",
               .dx = {"M17.101"},
               .procs = {"81.5400"},
               .rates = {0, 0, 0, 4, 13},
               .age_lo = 55,
               .min_level = 2,
               .los_lo = 7,
               .los_hi = 12,
               .surgery_day = 2,
               .nursing = "001201000030000",
               .admission = labs({{kDr, 100}}),
               .surgery = {{kKnee, 100}, {kGeneralAnaesthesia, 100}, {kCatheter, 50}},
               .daily = {{kCefuroximeInj, 100, 1, 2, 2, 4},
                         {kHeparinLmw, 100, 1, 1, 3, 10},
                         {kSaline, 100, 1, 2},
                         {kIvDrip, 100, 1, 2},
                         {kExerciseTherapy, 60, 1, 1, 4, -1, true}}});
  v.push_back({.name = "lung_cancer_surgery",
               .dept = "A04",
               .dx = {"C34.900x001"},
               .procs = {"32.4100"},
               .rates = {0, 0, 0, 3, 4},
               .age_lo = 40,
               .min_level = 3,
               .los_lo = 8,
               .los_hi = 14,
               .surgery_day = 2,
               .nursing = "001201000030000",
               .admission = labs({{kCtEnhanced, 100}, {kCea, 100}, {kBloodGas, 60}}),
               .surgery = {{kLobectomy, 100}, {kGeneralAnaesthesia, 100}, {kHaemostaticGauze, 60}},
               .daily = {{kCefuroximeInj, 100, 1, 2, 2, 5},
                         {kAmbroxolInj, 90, 1, 2},
                         {kSaline, 100, 2, 2},
                         {kIvDrip, 100, 2, 2},
                         {kOxygen, 80, 6, 2, 2, 6}}});
  v.push_back({.name = "breast_cancer_surgery",
               .dept = "A04.01",
               .dx = {"C50.900"},
               .procs = {"85.4300x003"},
               .rates = {0, 0, 3, 4, 3},
               .sex = 2,
               .age_lo = 30,
               .min_level = 2,
               .los_lo = 7,
               .los_hi = 12,
               .surgery_day = 2,
               .admission = labs({{kCtEnhanced, 80}, {kCea, 100}, {kColourDoppler, 90}}),
               .surgery = {{kMastectomy, 100}, {kGeneralAnaesthesia, 100}},
               .daily = {{kCefuroximeInj, 100, 1, 2, 2, 4},
                         {kSaline, 100, 1, 2},
                         {kIvDrip, 100, 1, 2},
                         {kBigDressing, 60, 1, 1, 4, 7}}});
  v.push_back({.name = "delivery_vaginal",
               .dept = "A05.02",
               .dx = {"O80.000"},
               .procs = {"73.5900x002"},
               .sex = 2,
               .los_lo = 2,
               .los_hi = 4,
               .surgery_day = 0,
               .admission = {{kBloodCount, 100},
                             {kCoag, 90},
                             {kUrine, 80},
                             {kBUltrasound, 80},
                             {kFetalMonitor, 90, 1, 3}},
               .surgery = {{kDelivery, 100}, {kLabourAnalgesia, 40}},
               .daily = {{kOxytocin, 100, 1, 1, 0, 1}, {kIm, 100, 1, 1, 0, 1}}});
  v.push_back({.name = "delivery_caesarean",
               .dept = "A05.02",
               .dx = {"O82.000"},
               .procs = {"74.1x01"},
               .sex = 2,
               .los_lo = 4,
               .los_hi = 6,
               .surgery_day = 0,
               .nursing = "001201000030000",
               .admission = {{kBloodCount, 100},
                             {kCoag, 100},
                             {kUrine, 80},
                             {kBUltrasound, 90},
                             {kFetalMonitor, 80, 1, 2},
                             {kEcg, 80}},
               .surgery = {{kCaesarean, 100},
                           {kGeneralAnaesthesia, 100},
                           {kCatheter, 100},
                           {kCatheterKit, 100}},
               .daily = {{kCefuroximeInj, 100, 1, 2, 0, 2},
                         {kOxytocin, 100, 1, 2, 0, 1},
                         {kSaline, 100, 1, 2},
                         {kIvDrip, 100, 1, 2}}});
  v.push_back({.name = "chemotherapy",
               .dept = "A19",
               .dx = {"Z51.102", "Z51.103"},
               .min_level = 2,
               .los_lo = 2,
               .los_hi = 4,
               .nursing = "001201000040000",
               .admission = {{kBloodCount, 100}, {kLiver, 100}, {kRenal, 100}, {kCea, 60}},
               .daily = {{kOndansetron, 100, 1, 2},
                         {kSaline, 100, 2, 1},
                         {kGlucose, 80, 1, 1},
                         {kIvDrip, 100, 2, 1}}});
  return v;
}

std::vector<ChronicProfile> Chronic() {
  std::vector<ChronicProfile> v;
  v.push_back({.name = "hypertension",
               .dept = "A03.04",
               .dx = "I10.x00x002",
               .prevalence = {0, 0, 40, 230, 420},
               .drugs = {{kAmlodipine, 50, 1, 1},
                         {kNifedipine, 20, 1, 2},
                         {kIrbesartan, 25, 1, 1},
                         {kValsartan, 15, 1, 1},
                         {kLosartan, 10, 1, 1},
                         {kMetoprolol, 15, 1, 1},
                         {kHctz, 10, 1, 1}},
               .checkup = {{kLipids, 60}, {kRenal, 60}, {kEcg, 70}}});
  v.push_back({.name = "diabetes",
               .dept = "A03.07",
               .dx = "E11.900",
               .prevalence = {0, 0, 20, 120, 200},
               .drugs = {{kMetformin, 65, 1, 3},
                         {kMetforminSr, 10, 2, 1},
                         {kGlimepiride, 20, 1, 1},
                         {kAcarbose, 25, 1, 3},
                         {kSitagliptin, 15, 1, 1},
                         {kDapagliflozin, 10, 1, 1},
                         {kInsulin30R, 12, 1, 1, 4}},
               .checkup = {{kGlucoseTest, 100},
                           {kHba1c, 80},
                           {kLiver, 40},
                           {kRenal, 50},
                           {kCreatinine, 20},
                           {kAlt, 15}}});
  v.push_back({.name = "coronary",
               .dept = "A03.04",
               .dx = "I25.103",
               .prevalence = {0, 0, 2, 30, 90},
               .drugs = {{kAspirin, 70, 1, 1},
                         {kClopidogrel, 25, 1, 1},
                         {kAtorvastatin, 50, 1, 1},
                         {kRosuvastatin, 30, 1, 1},
                         {kIsmn, 30, 1, 1},
                         {kDanshen, 20, 10, 3}},
               .checkup = {{kLipids, 80}, {kEcg, 90}, {kLiver, 40}}});
  v.push_back({.name = "copd",
               .dept = "A03.01",
               .dx = "J44.900",
               .prevalence = {0, 0, 2, 25, 70},
               .drugs = {{kBudesonideFormoterol, 60, 1, 2, 1},
                         {kTiotropium, 50, 1, 1},
                         {kSalbutamol, 30, 1, 1, 1},
                         {kAmbroxolTab, 30, 1, 3},
                         {kBailing, 25, 2, 3}},
               .checkup = {{kDr, 40}, {kBloodCount, 50}}});
  v.push_back({.name = "dialysis",
               .dept = "A03.06",
               .dx = "N18.500",
               .prevalence = {0, 0, 0, 1, 2},
               .drugs = {{kCalcitriol, 50, 1, 1}},
               .checkup = {{kDialysis, 100},
                           {kDialyser, 100},
                           {kDialysisLines, 100},
                           {kEpo, 70},
                           {kRenal, 30},
                           {kBloodCount, 30}}});
  return v;
}

template <typename T>
void ResolveAll(const Knowledge& k, std::vector<T>& rx) {
  for (T& r : rx) r.id = k.Require(r.code);
}

}  // namespace

int AgeBand(int age) {
  if (age < 5) return 0;
  if (age < 15) return 1;
  if (age < 45) return 2;
  if (age < 65) return 3;
  return 4;
}

const StayProfile* Profiles::Stay(std::string_view name) const {
  for (const StayProfile& s : stays)
    if (s.name == name) return &s;
  return nullptr;
}

Profiles BuiltinProfiles(const Knowledge& k) {
  Profiles p{Outpatient(), Stays(), Chronic()};
  for (OutpatientProfile& o : p.outpatient) {
    ResolveAll(k, o.items);
    ResolveAll(k, o.drugs);
  }
  for (StayProfile& s : p.stays) {
    ResolveAll(k, s.admission);
    ResolveAll(k, s.surgery);
    ResolveAll(k, s.daily);
    k.Require(s.nursing);
  }
  for (ChronicProfile& c : p.chronic) {
    ResolveAll(k, c.drugs);
    ResolveAll(k, c.checkup);
  }
  return p;
}

Diagnostics CheckProfileCodes(const Profiles& p, const IcdTables& icd) {
  Diagnostics errors;
  auto check = [&](const IcdTable& table, std::string_view code, bool main,
                   std::string_view where) {
    auto id = table.Id(code);
    if (!id)
      errors.push_back({"gen profiles", 0, std::string(where),
                        fmt::format("'{}' is not a 医保版 2.0 code", code)});
    else if (main && table.IsGray(*id))
      errors.push_back(
          {"gen profiles", 0, std::string(where), fmt::format("'{}' is a 灰码", code)});
  };
  for (const OutpatientProfile& o : p.outpatient) {
    for (auto dx : o.dx) check(icd.diagnoses, dx, false, o.name);
    for (auto pr : o.procs) check(icd.procedures, pr, false, o.name);
  }
  for (const StayProfile& s : p.stays) {
    for (auto dx : s.dx) check(icd.diagnoses, dx, true, s.name);
    for (auto& sd : s.secondary) check(icd.diagnoses, sd.code, false, s.name);
    for (size_t i = 0; i < s.procs.size(); ++i) check(icd.procedures, s.procs[i], i == 0, s.name);
  }
  for (const ChronicProfile& c : p.chronic) check(icd.diagnoses, c.dx, false, c.name);
  return errors;
}

}  // namespace yibao::gen
