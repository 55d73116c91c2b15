# ASan + UBSan for the whole build when COMANDA_SANITIZE is on (the `asan` preset, run by CI).
if(COMANDA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
