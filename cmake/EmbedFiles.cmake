# comanda_embed_migrations(target DIR): compiles every DIR/*.sql into the target as
# `comanda::db::Migration` entries returned by `<target-namespace>::Migrations()`, so a binary carries its
# own schema and needs no files beside it. NAMESPACE names the C++ namespace of the generated function.
function(comanda_embed_migrations target)
  cmake_parse_arguments(ARG "" "DIR;NAMESPACE" "" ${ARGN})
  file(GLOB sql_files CONFIGURE_DEPENDS ${ARG_DIR}/*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cpp)
  # A ';' list would be split by the shell; pass the files '|'-separated instead.
  string(REPLACE ";" "|" files_arg "${sql_files}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${ARG_NAMESPACE} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_migrations.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/embed_migrations.cmake
    COMMENT "Embedding migrations for ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
