# Unity builds (docs/BENCHMARKS.md "Build time"): the sources of a target are compiled in
# batches of LIBU_UNITY_BATCH files per translation unit, so libtorch's headers are parsed,
# and their inline functions compiled, once per batch instead of once per file. Only the
# torch modules and their tests: core, io and text compile quickly file by file.
option(LIBU_UNITY "Compile each module in unity batches (faster fresh builds)" ON)
set(LIBU_UNITY_BATCH 8 CACHE STRING "source files per unity translation unit")
# An executable reuses the libraries' libtorch PCH: GCC accepts it only when compiled with
# the same -fPIC (CMake would give executables -fPIE), and PIE linking takes -fPIC objects.
function(libu_reuse_torch_pch TARGET)
  set_target_properties(${TARGET} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
  target_compile_options(${TARGET} PRIVATE -fPIC)
  target_precompile_headers(${TARGET} REUSE_FROM libu_model)
endfunction()

function(libu_unity TARGET)
  if(LIBU_UNITY)
    set_target_properties(${TARGET} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${LIBU_UNITY_BATCH})
  endif()
endfunction()

# libu_module(NAME DEPS <targets...> [TORCH])
# One static library per module, sources globbed from its folder (recursively), so that
# adding a file needs no CMake edit. Dependencies are one-way (docs/ARCHITECTURE.md): a
# module links only to the modules below it, so a reversed include fails to link.
function(libu_module NAME)
  cmake_parse_arguments(M "TORCH" "" "DEPS;SYSLIBS" ${ARGN})
  file(GLOB_RECURSE _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(libu_${NAME} STATIC ${_srcs})
  target_include_directories(libu_${NAME} PUBLIC ${LIBU_SOURCE_ROOT}/src)
  target_link_libraries(libu_${NAME} PUBLIC ${M_DEPS} ${M_SYSLIBS})
  if(M_TORCH)
    libu_unity(libu_${NAME})
    target_link_libraries(libu_${NAME} PUBLIC torch)
    if(NAME STREQUAL "model")
      target_precompile_headers(libu_${NAME} PRIVATE ${LIBU_SOURCE_ROOT}/src/libu/model/torch_pch.h)
    else()
      target_precompile_headers(libu_${NAME} REUSE_FROM libu_model)
    endif()
  endif()
endfunction()

# libu_tests(MODULE DEPS <targets...>)
# tests/<module>/*_test.cpp -> one gtest binary test_<module> (label "unit");
# tests/<module>/*_slow.cpp -> test_<module>_slow (label "slow").
function(libu_tests MODULE)
  cmake_parse_arguments(T "" "" "DEPS" ${ARGN})
  file(GLOB _unit CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${MODULE}/*_test.cpp)
  file(GLOB _slow CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${MODULE}/*_slow.cpp)
  foreach(kind unit slow)
    if(kind STREQUAL "unit")
      set(_files ${_unit})
      set(_name test_${MODULE})
    else()
      set(_files ${_slow})
      set(_name test_${MODULE}_slow)
    endif()
    if(_files)
      add_executable(${_name} ${_files} ${CMAKE_CURRENT_SOURCE_DIR}/common/test_main.cpp)
      if(NOT MODULE MATCHES "^(core|io|text)$")
        libu_unity(${_name})
        libu_reuse_torch_pch(${_name})
      endif()
      target_link_libraries(${_name} PRIVATE ${T_DEPS} GTest::gtest libu_testcommon)
      target_compile_definitions(${_name} PRIVATE LIBU_SOURCE_ROOT="${LIBU_SOURCE_ROOT}"
                                 LIBU_BINARY_DIR="${CMAKE_BINARY_DIR}")
      # Slow cases each take every core: never run them beside another test (ctest -j).
      set(_serial FALSE)
      if(kind STREQUAL "slow")
        set(_serial TRUE)
      endif()
      gtest_discover_tests(${_name} PROPERTIES LABELS ${kind} RUN_SERIAL ${_serial} DISCOVERY_TIMEOUT 60
                           WORKING_DIRECTORY ${LIBU_SOURCE_ROOT})
    endif()
  endforeach()
endfunction()
