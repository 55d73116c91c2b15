# comanda::warnings: the project's warning set, as an INTERFACE target every target links.
add_library(comanda_warnings INTERFACE)
add_library(comanda::warnings ALIAS comanda_warnings)
target_compile_options(comanda_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wpedantic
  -Wconversion -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough
  $<$<BOOL:${COMANDA_WARNINGS_AS_ERRORS}>:-Werror>)
