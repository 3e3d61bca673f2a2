# shien_embed_migrations(<out-cc> <namespace> <function> <sql-file>...)
# Writes a .cc defining `const std::vector<shien::sql::Migration>&
# <namespace>::<function>()` from files named NNN_name.sql. Re-runs when a
# file changes.
function(shien_embed_migrations out_cc namespace function)
  set(entries "")
  foreach(file ${ARGN})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
    get_filename_component(fname ${file} NAME_WE)
    string(REGEX MATCH "^([0-9]+)_(.*)$" unused ${fname})
    if(NOT CMAKE_MATCH_1)
      message(FATAL_ERROR "migration ${file} is not named NNN_name.sql")
    endif()
    math(EXPR version "${CMAKE_MATCH_1}")
    file(READ ${file} body)
    string(APPEND entries
      "      {${version}, \"${CMAKE_MATCH_2}\", R\"shien_sql(${body})shien_sql\"},\n")
  endforeach()
  file(CONFIGURE OUTPUT ${out_cc} CONTENT
"// Generated from the schema/*.sql files. Do not edit.
#include <vector>

#include \"common/sql/migrations.h\"

namespace ${namespace} {

const std::vector<shien::sql::Migration>& ${function}() {
  static const auto* const kMigrations = new std::vector<shien::sql::Migration>{
${entries}  };
  return *kMigrations;
}

}  // namespace ${namespace}
" @ONLY)
endfunction()
