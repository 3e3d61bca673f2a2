#include "services/budget/domain/program.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/api/fingerprint.h"
#include "common/status/errors.h"

namespace shien::budget {
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

absl::Status CheckList(const std::vector<std::string>& values,
                       absl::string_view field) {
  if (values.size() > kMaxListEntries) {
    return FieldError(
        field, "TOO_MANY_ENTRIES",
        absl::StrCat("has more than ", kMaxListEntries, " entries"));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    absl::Status s = CheckText(values[i], absl::StrCat(field, "[", i, "]"),
                               kMaxListEntryBytes, /*required=*/true);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

std::string FundingLabel(const std::vector<FundingSource>& sources) {
  static constexpr const char* kLabels[] = {"?", "国", "県", "市", "自"};
  std::string label;
  for (FundingSource s : sources) {
    if (!label.empty()) label += "・";
    int i = static_cast<int>(s);
    label += (i >= 1 && i <= 4) ? kLabels[i] : kLabels[0];
  }
  return label;
}

std::string ProgramEtag(const Program& program) {
  return Fingerprint(absl::StrCat("program/", program.fiscal_year, "/",
                                  program.number, "/", program.revision))
      .substr(0, 16);
}

absl::Status ValidateProgram(const Program& p, bool allow_no_department) {
  if (p.number < 1 || p.number > kMaxProgramNumber) {
    return FieldError("number", "OUT_OF_RANGE",
                      absl::StrCat("must be 1 to ", kMaxProgramNumber));
  }
  absl::Status s = CheckText(p.title, "title", kMaxTitleBytes, true);
  if (!s.ok()) return s;
  int area = static_cast<int>(p.area);
  if (area < 1 || area > kAreaCount) {
    return FieldError("area", "INVALID_ENUM_VALUE", "must be a known area");
  }
  if (p.continuity != Continuity::kContinuing &&
      p.continuity != Continuity::kNew) {
    return FieldError("continuity", "INVALID_ENUM_VALUE",
                      "must be CONTINUITY_CONTINUING or CONTINUITY_NEW");
  }
  if (p.funding_sources.empty()) {
    return FieldError("funding_sources", "REQUIRED_FIELD",
                      "at least one funding source is required");
  }
  int last = 0;
  for (FundingSource f : p.funding_sources) {
    int v = static_cast<int>(f);
    if (v < 1 || v > 4) {
      return FieldError("funding_sources", "INVALID_ENUM_VALUE",
                        "must be known funding sources");
    }
    if (v <= last) {
      return FieldError("funding_sources", "INVALID_ORDER",
                        "must be in the plan's order (国, 県, 市, 自) "
                        "without repeats");
    }
    last = v;
  }
  if (p.budget_yen < 0 || p.budget_yen > kMaxBudgetYen) {
    return FieldError("budget_yen", "OUT_OF_RANGE",
                      absl::StrCat("must be 0 to ", kMaxBudgetYen));
  }
  if (p.departments.empty() && !allow_no_department) {
    return FieldError("departments", "REQUIRED_FIELD",
                      "at least one department is required");
  }
  std::set<std::string> seen(p.departments.begin(), p.departments.end());
  if (seen.size() != p.departments.size()) {
    return FieldError("departments", "DUPLICATE_ENTRY",
                      "lists a department twice");
  }
  if (!(s = CheckList(p.departments, "departments")).ok()) return s;
  if (!(s = CheckList(p.related_agencies, "related_agencies")).ok()) return s;
  if (!(s = CheckList(p.activities, "activities")).ok()) return s;
  if (!(s = CheckText(p.purpose, "purpose", kMaxTextBytes, false)).ok()) {
    return s;
  }
  return CheckText(p.overview, "overview", kMaxTextBytes, false);
}

absl::StatusOr<std::vector<ProgramField>> ParseProgramMask(
    const std::vector<std::string>& paths) {
  static const std::pair<const char*, ProgramField> kFields[] = {
      {"title", ProgramField::kTitle},
      {"area", ProgramField::kArea},
      {"funding_sources", ProgramField::kFundingSources},
      {"budget_yen", ProgramField::kBudgetYen},
      {"continuity", ProgramField::kContinuity},
      {"departments", ProgramField::kDepartments},
      {"related_agencies", ProgramField::kRelatedAgencies},
      {"purpose", ProgramField::kPurpose},
      {"overview", ProgramField::kOverview},
      {"activities", ProgramField::kActivities},
  };
  if (paths.empty()) {
    return FieldError("update_mask", "REQUIRED_FIELD",
                      "name the fields to change, or \"*\"");
  }
  std::vector<ProgramField> fields;
  for (const std::string& path : paths) {
    if (path == "*") {
      if (paths.size() != 1) {
        return FieldError("update_mask", "INVALID_FIELD_MASK",
                          "\"*\" must be the only path");
      }
      for (const auto& [name, field] : kFields) fields.push_back(field);
      return fields;
    }
    bool found = false;
    for (const auto& [name, field] : kFields) {
      if (path == name) {
        fields.push_back(field);
        found = true;
      }
    }
    if (!found) {
      return FieldError("update_mask", "INVALID_FIELD_MASK",
                        absl::StrCat("\"", path.substr(0, 100),
                                     "\" is not a field that can be changed"));
    }
  }
  return fields;
}

absl::StatusOr<Program> ApplyProgramUpdate(
    const Program& current, const Program& patch,
    const std::vector<ProgramField>& fields, const std::string& expected_etag) {
  if (!expected_etag.empty() && expected_etag != ProgramEtag(current)) {
    return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
                 "the program has changed since it was read; read it again "
                 "and retry with the new etag");
  }
  Program next = current;
  for (ProgramField f : fields) {
    switch (f) {
      case ProgramField::kTitle:
        next.title = patch.title;
        break;
      case ProgramField::kArea:
        next.area = patch.area;
        break;
      case ProgramField::kFundingSources:
        next.funding_sources = patch.funding_sources;
        break;
      case ProgramField::kBudgetYen:
        next.budget_yen = patch.budget_yen;
        break;
      case ProgramField::kContinuity:
        next.continuity = patch.continuity;
        break;
      case ProgramField::kDepartments:
        next.departments = patch.departments;
        break;
      case ProgramField::kRelatedAgencies:
        next.related_agencies = patch.related_agencies;
        break;
      case ProgramField::kPurpose:
        next.purpose = patch.purpose;
        break;
      case ProgramField::kOverview:
        next.overview = patch.overview;
        break;
      case ProgramField::kActivities:
        next.activities = patch.activities;
        break;
    }
  }
  absl::Status s = ValidateProgram(next, /*allow_no_department=*/false);
  if (!s.ok()) return PrefixField(s, "program");
  next.revision = current.revision + 1;
  return next;
}

}  // namespace shien::budget
