# Installation layout and the Debian package (cpack -G DEB in the build tree).
include(GNUInstallDirs)
if(NOT PARETOPRUNE_CORE_ONLY)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/paretoprune.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/paretoprune.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/io.github.paretoprune.ParetoPrune.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
endif()
# The demo model and data (the window's --demo looks in ../share/paretoprune/demo).
install(DIRECTORY ${CMAKE_SOURCE_DIR}/resources/demo/ DESTINATION ${CMAKE_INSTALL_DATADIR}/paretoprune/demo)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME "paretoprune")
set(CPACK_PACKAGE_VENDOR "ParetoPrune")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "ParetoPrune developers <paretoprune@localhost>")
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Structural pruning of BERT models guided by a live Pareto front
 ParetoPrune samples sub-networks of a fine-tuned BERT classifier (fewer layers,
 heads and feed-forward units), evaluates them on worker threads, shows the Pareto
 front of error against size or latency live, and exports the chosen one as a
 smaller Hugging Face or TorchScript model.")
# Shared-library dependencies from the binaries (dpkg-shlibdeps), plus the
# threaded OpenBLAS that LibTorch should run on and utf8proc, whose Unicode
# tables the tokenizer uses (named here too, so the package says so).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread, libdnnl2, libutf8proc2")
set(CPACK_STRIP_FILES ON)
include(CPack)
