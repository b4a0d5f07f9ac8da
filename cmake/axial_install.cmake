# `cmake --install build --prefix P` and `cpack -G DEB` (issue 18): the executables, the torch-free libraries with
# their headers, the Python module, a CMake package (find_package(axial): targets axial::core, axial::metrics,
# axial::datasets, axial::reports, axial::pipelines) and a pkg-config file (axial.pc).
#   P/bin/axial[, axial-torch]
#   P/lib/libaxial_*.a, P/lib/cmake/axial/axialConfig.cmake, P/lib/pkgconfig/axial.pc
#   P/include/axial/{src/core,metrics,datasets,reports,src/pipelines}/*.hpp, P/include/axial/axial/version.hpp
#   P/lib/python3/dist-packages/axial.*.so
# Headers keep their source paths (they include each other as "metrics/…", "src/core/…"), under include/axial.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AXIAL_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/axial)
set(AXIAL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/axial)
# Exported library targets and their names in the package (axial::<name>).
set(AXIAL_EXPORTED_LIBRARIES axial_core axial_metrics axial_datasets axial_reports axial_pipelines axial_build_info)

# The source tree is the include root inside the build; include/axial once installed.
foreach(target ${AXIAL_EXPORTED_LIBRARIES})
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  set(wrapped "")
  foreach(dir ${dirs})
    list(APPEND wrapped "$<BUILD_INTERFACE:${dir}>")
  endforeach()
  list(APPEND wrapped "$<INSTALL_INTERFACE:${AXIAL_INSTALL_INCLUDEDIR}>")
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${wrapped}")
  string(REPLACE "axial_" "" short ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${short})
endforeach()

set_target_properties(axial_warnings PROPERTIES EXPORT_NAME warnings)
install(TARGETS ${AXIAL_EXPORTED_LIBRARIES} axial_warnings EXPORT axialTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        COMPONENT libraries)
install(TARGETS axial RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT executables)
if(TARGET axial-torch)
  install(TARGETS axial-torch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT executables)
endif()
foreach(dir src/core metrics datasets reports src/pipelines)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/${dir}/ DESTINATION ${AXIAL_INSTALL_INCLUDEDIR}/${dir}
          COMPONENT libraries FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(FILES ${CMAKE_BINARY_DIR}/generated/axial/version.hpp DESTINATION ${AXIAL_INSTALL_INCLUDEDIR}/axial
        COMPONENT libraries)
if(AXIAL_PYTHON_MODULE)
  set(AXIAL_INSTALL_PYTHONDIR lib/python3/dist-packages CACHE STRING "where the Python module is installed")
  install(TARGETS axial_python LIBRARY DESTINATION ${AXIAL_INSTALL_PYTHONDIR} COMPONENT python)
endif()

install(EXPORT axialTargets NAMESPACE axial:: DESTINATION ${AXIAL_INSTALL_CMAKEDIR} COMPONENT libraries)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/axialConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/cmake/axialConfig.cmake
                              INSTALL_DESTINATION ${AXIAL_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/axialConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/axialConfig.cmake ${CMAKE_BINARY_DIR}/cmake/axialConfigVersion.cmake
        DESTINATION ${AXIAL_INSTALL_CMAKEDIR} COMPONENT libraries)

# pkg-config: the same libraries in link order, and the third-party headers/libraries they need.
set(AXIAL_PC_LIBS "-laxial_pipelines -laxial_reports -laxial_datasets -laxial_metrics -laxial_core -laxial_build_info")
set(AXIAL_PC_PRIVATE "")
foreach(lib ${HDF5__HDF5_LIBRARY} ${PLplot__plplot_LIBRARY} ${LIBLINEAR_LIBRARY} ${fmt__fmt_LIBRARY})
  string(APPEND AXIAL_PC_PRIVATE " ${lib}")
endforeach()
string(APPEND AXIAL_PC_PRIVATE " -lz -pthread")
set(AXIAL_PC_CFLAGS "-I\${includedir}/axial")
foreach(dir ${Eigen3__Eigen_INCLUDE_DIR} ${HDF5__HDF5_INCLUDE_DIR} ${nlohmann_json__nlohmann_json_INCLUDE_DIR})
  if(NOT dir STREQUAL "/usr/include")
    string(APPEND AXIAL_PC_CFLAGS " -I${dir}")
  endif()
endforeach()
configure_file(${CMAKE_SOURCE_DIR}/cmake/axial.pc.in ${CMAKE_BINARY_DIR}/cmake/axial.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/cmake/axial.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT libraries)

# cpack -G DEB: one package; its dependencies are the Debian packages scripts/setup installs for the libraries
# (the `libraries` list there: headers the installed headers include, libraries the static ones need, the Python
# module's numpy), read from the script so the two never differ.
file(STRINGS ${CMAKE_SOURCE_DIR}/scripts/setup AXIAL_SETUP_LINES)
set(AXIAL_SETUP_LIBRARIES "")
set(in_list FALSE)
foreach(line IN LISTS AXIAL_SETUP_LINES)
  if(line MATCHES "^libraries=\\(")
    set(in_list TRUE)
  elseif(in_list AND line MATCHES "^\\)")
    set(in_list FALSE)
  elseif(in_list)
    string(REGEX REPLACE "#.*" "" line "${line}")
    string(REGEX REPLACE "[ \t]+" ";" line "${line}")
    list(APPEND AXIAL_SETUP_LIBRARIES ${line})
  endif()
endforeach()
list(REMOVE_ITEM AXIAL_SETUP_LIBRARIES "")
if(NOT AXIAL_WITH_TORCH)
  list(REMOVE_ITEM AXIAL_SETUP_LIBRARIES libtorch-dev libopenblas0-openmp)
endif()
list(JOIN AXIAL_SETUP_LIBRARIES ", " AXIAL_DEB_DEPENDS)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME axial)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "axial developers <axial@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Disentanglement metrics, the three-dots data set and JL1-VAE evaluation")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${AXIAL_DEB_DEPENDS}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
include(CPack)
