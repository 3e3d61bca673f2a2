#include "services/subsidy/data/scheme_loader.h"

#include "absl/strings/str_cat.h"
#include "common/api/text_proto.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "services/subsidy/codec/codec.h"

namespace shien::subsidy {

absl::StatusOr<YearSchemes> ReadSchemeFile(const std::string& path) {
  pb::SubsidyData data;
  SHIEN_RETURN_IF_ERROR(ReadTextProtoFile(path, &data));
  YearSchemes out;
  out.fiscal_year = data.fiscal_year();
  out.source_note = data.source_note();
  for (int i = 0; i < data.schemes_size(); ++i) {
    const std::string where = absl::StrCat("schemes[", i, "]");
    absl::StatusOr<Scheme> s = FromProto(data.schemes(i));
    if (!s.ok()) return WithContext(PrefixField(s.status(), where), path);
    if (s->fiscal_year != out.fiscal_year) {
      return WithContext(FieldError(where + ".name", "WRONG_FISCAL_YEAR",
                                    "must be a scheme of the file's year"),
                         path);
    }
    for (const Scheme& earlier : out.schemes) {
      if (earlier.id == s->id) {
        return WithContext(FieldError(where + ".name", "DUPLICATE_ENTRY",
                                      absl::StrCat(s->id, " appears twice")),
                           path);
      }
    }
    absl::Status valid = ValidateScheme(*s);
    if (!valid.ok()) return WithContext(PrefixField(valid, where), path);
    out.schemes.push_back(*std::move(s));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> LoadSchemes(
    const std::string& data_dir, SubsidyStore& store) {
  SHIEN_ASSIGN_OR_RETURN(auto files,
                         FindFiscalYearFiles(data_dir, "schemes.textproto"));
  std::vector<std::string> log;
  for (const auto& [year, path] : files) {
    SHIEN_ASSIGN_OR_RETURN(YearSchemes data, ReadSchemeFile(path));
    if (data.fiscal_year != year) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": fiscal_year is ", data.fiscal_year,
                       " but the directory says ", year));
    }
    absl::StatusOr<bool> loaded =
        store.LoadYear(year, data.source_note, data.schemes);
    if (!loaded.ok()) return WithContext(loaded.status(), path);
    log.push_back(absl::StrCat(*loaded ? "loaded" : "already loaded, kept",
                               " fiscalYears/", year, " from ", path));
  }
  return log;
}

}  // namespace shien::subsidy
