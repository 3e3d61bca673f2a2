#include "services/kpi/domain/indicator.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/api/fingerprint.h"
#include "common/api/resource_name.h"
#include "common/status/errors.h"

namespace shien::kpi {
namespace {

absl::Status CheckText(const std::string& value, absl::string_view field,
                       size_t max_bytes, bool required) {
  if (required && value.empty()) {
    return FieldError(field, "REQUIRED_FIELD", "must not be empty");
  }
  if (value.size() > max_bytes) {
    return FieldError(field, "FIELD_TOO_LONG",
                      absl::StrCat("is longer than ", max_bytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

int64_t MaxValue(Measure measure) {
  return measure == Measure::kMoney ? kMaxMoneyYen : kMaxCount;
}

std::string IndicatorName(int fiscal_year, int program_number,
                          const std::string& id) {
  return absl::StrCat("fiscalYears/", fiscal_year, "/programs/", program_number,
                      "/indicators/", id);
}

std::string IndicatorName(const Indicator& i) {
  return IndicatorName(i.fiscal_year, i.program_number, i.id);
}

std::string IndicatorEtag(const Indicator& i) {
  return Fingerprint(absl::StrCat(IndicatorName(i), "#", i.revision))
      .substr(0, 16);
}

absl::Status ValidateIndicator(const Indicator& i) {
  absl::Status s = ValidateResourceId(i.id, "indicator_id");
  if (!s.ok()) return s;
  if (!(s = CheckText(i.title, "title", kMaxTitleBytes, true)).ok()) return s;
  if (!(s = CheckText(i.unit, "unit", kMaxUnitBytes, true)).ok()) return s;
  if (!(s = CheckText(i.note, "note", kMaxNoteBytes, false)).ok()) return s;
  if (!(s = CheckText(i.target.note, "target.note", kMaxNoteBytes, false))
           .ok()) {
    return s;
  }
  if (i.measure != Measure::kCount && i.measure != Measure::kMoney) {
    return FieldError("measure", "INVALID_ENUM_VALUE",
                      "must be MEASURE_COUNT or MEASURE_MONEY");
  }
  if (i.kind != IndicatorKind::kActivity && i.kind != IndicatorKind::kOutcome) {
    return FieldError("kind", "INVALID_ENUM_VALUE",
                      "must be INDICATOR_KIND_ACTIVITY or "
                      "INDICATOR_KIND_OUTCOME");
  }
  if (i.aggregation != Aggregation::kSum &&
      i.aggregation != Aggregation::kLatest) {
    return FieldError("aggregation", "INVALID_ENUM_VALUE",
                      "must be AGGREGATION_SUM or AGGREGATION_LATEST");
  }
  switch (i.target.state) {
    case TargetState::kSet:
      if (i.target.value < 0 || i.target.value > MaxValue(i.measure)) {
        return FieldError("target.value", "OUT_OF_RANGE",
                          absl::StrCat("must be 0 to ", MaxValue(i.measure)));
      }
      break;
    case TargetState::kToBeDecided:
    case TargetState::kNone:
      if (i.target.value != 0) {
        return FieldError("target.value", "UNEXPECTED_VALUE",
                          "a target that is not set has no value");
      }
      break;
    case TargetState::kUnspecified:
      return FieldError("target.state", "INVALID_ENUM_VALUE",
                        "must be SET, TO_BE_DECIDED or NONE");
  }
  if (i.multi_year_target.has_value()) {
    const MultiYearTarget& m = *i.multi_year_target;
    if (m.first_fiscal_year > i.fiscal_year ||
        m.last_fiscal_year < i.fiscal_year ||
        m.last_fiscal_year - m.first_fiscal_year >= 10) {
      return FieldError("multi_year_target", "INVALID_YEARS",
                        "must span the indicator's fiscal year, at most 10 "
                        "years");
    }
    if (m.value < 0 || m.value > MaxValue(i.measure)) {
      return FieldError("multi_year_target.value", "OUT_OF_RANGE",
                        absl::StrCat("must be 0 to ", MaxValue(i.measure)));
    }
  }
  if (!i.parent_id.empty() && i.parts_bounded_by_whole) {
    return FieldError("parts_bounded_by_whole", "NESTED_BREAKDOWN",
                      "a part cannot have parts of its own");
  }
  if (i.position < 0 || i.position > 1000) {
    return FieldError("position", "OUT_OF_RANGE", "must be 0 to 1000");
  }
  return absl::OkStatus();
}

absl::Status ValidateIndicatorSet(const std::vector<Indicator>& indicators) {
  std::map<std::pair<int, std::string>, const Indicator*> by_key;
  for (size_t n = 0; n < indicators.size(); ++n) {
    const Indicator& i = indicators[n];
    std::string where = absl::StrCat("indicators[", n, "]");
    absl::Status s = ValidateIndicator(i);
    if (!s.ok()) return PrefixField(s, where);
    if (!by_key.emplace(std::make_pair(i.program_number, i.id), &i).second) {
      return FieldError(where + ".name", "DUPLICATE_ENTRY",
                        absl::StrCat(IndicatorName(i), " appears twice"));
    }
  }
  for (size_t n = 0; n < indicators.size(); ++n) {
    const Indicator& i = indicators[n];
    if (i.parent_id.empty()) continue;
    std::string where = absl::StrCat("indicators[", n, "].parent");
    auto it = by_key.find({i.program_number, i.parent_id});
    if (it == by_key.end()) {
      return FieldError(where, "PARENT_NOT_FOUND",
                        "must name an indicator of the same program");
    }
    if (!it->second->parent_id.empty()) {
      return FieldError(where, "NESTED_BREAKDOWN",
                        "the whole cannot itself be a part");
    }
  }
  // Parts' targets within the whole's.
  for (const auto& [key, whole] : by_key) {
    if (!whole->parts_bounded_by_whole ||
        whole->target.state != TargetState::kSet) {
      continue;
    }
    int64_t parts = 0;
    bool all_set = true;
    for (const Indicator& i : indicators) {
      if (i.program_number != whole->program_number ||
          i.parent_id != whole->id) {
        continue;
      }
      if (i.target.state != TargetState::kSet) all_set = false;
      parts += i.target.value;
    }
    if (all_set && parts > whole->target.value) {
      return FieldError("indicators", "PARTS_EXCEED_WHOLE",
                        absl::StrCat("the parts of ", IndicatorName(*whole),
                                     " have targets adding up to ", parts,
                                     ", more than its ", whole->target.value));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<IndicatorField>> ParseIndicatorMask(
    const std::vector<std::string>& paths) {
  static const std::pair<const char*, IndicatorField> kFields[] = {
      {"title", IndicatorField::kTitle},
      {"unit", IndicatorField::kUnit},
      {"kind", IndicatorField::kKind},
      {"aggregation", IndicatorField::kAggregation},
      {"target", IndicatorField::kTarget},
      {"multi_year_target", IndicatorField::kMultiYearTarget},
      {"note", IndicatorField::kNote},
      {"position", IndicatorField::kPosition},
  };
  if (paths.empty()) {
    return FieldError("update_mask", "REQUIRED_FIELD",
                      "name the fields to change, or \"*\"");
  }
  std::vector<IndicatorField> out;
  for (const std::string& path : paths) {
    if (path == "*" && paths.size() == 1) {
      for (const auto& [name, field] : kFields) out.push_back(field);
      return out;
    }
    bool found = false;
    for (const auto& [name, field] : kFields) {
      if (path == name) {
        out.push_back(field);
        found = true;
      }
    }
    if (!found) {
      return FieldError("update_mask", "INVALID_FIELD_MASK",
                        absl::StrCat("\"", path.substr(0, 100),
                                     "\" is not a field that can be changed"));
    }
  }
  return out;
}

absl::StatusOr<Indicator> ApplyIndicatorUpdate(
    const Indicator& current, const Indicator& patch,
    const std::vector<IndicatorField>& fields,
    const std::string& expected_etag) {
  if (!expected_etag.empty() && expected_etag != IndicatorEtag(current)) {
    return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
                 "the indicator has changed since it was read; read it "
                 "again and retry with the new etag");
  }
  Indicator next = current;
  for (IndicatorField f : fields) {
    switch (f) {
      case IndicatorField::kTitle:
        next.title = patch.title;
        break;
      case IndicatorField::kUnit:
        next.unit = patch.unit;
        break;
      case IndicatorField::kKind:
        next.kind = patch.kind;
        break;
      case IndicatorField::kAggregation:
        next.aggregation = patch.aggregation;
        break;
      case IndicatorField::kTarget:
        next.target = patch.target;
        break;
      case IndicatorField::kMultiYearTarget:
        next.multi_year_target = patch.multi_year_target;
        break;
      case IndicatorField::kNote:
        next.note = patch.note;
        break;
      case IndicatorField::kPosition:
        next.position = patch.position;
        break;
    }
  }
  absl::Status s = ValidateIndicator(next);
  if (!s.ok()) return PrefixField(s, "indicator");
  next.revision = current.revision + 1;
  return next;
}

}  // namespace shien::kpi
