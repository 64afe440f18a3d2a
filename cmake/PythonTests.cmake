# Python tests (unittest, stdlib only) registered with CTest. They import the runner's package
# from tools/ and find the build (the modules) through BOOTCHAIN_BUILD_DIR.
find_package(Python3 3.11 REQUIRED COMPONENTS Interpreter)

# bootchain_python_test(<ctest name> <unittest target> [DIRECTORY dir]): one CTest test; the
# target is a module or module.Class, run in DIRECTORY (default: the calling folder).
function(bootchain_python_test name target)
  cmake_parse_arguments(T "" "DIRECTORY" "" ${ARGN})
  if(NOT T_DIRECTORY)
    set(T_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  add_test(NAME ${name} COMMAND ${Python3_EXECUTABLE} -m unittest -v ${target}
           WORKING_DIRECTORY "${T_DIRECTORY}")
  set(labels boot)
  if(name IN_LIST BOOTCHAIN_SLOW_TESTS)
    list(APPEND labels slow)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT 600 LABELS "${labels}"
    ENVIRONMENT "PYTHONPATH=${CMAKE_SOURCE_DIR}/tools;BOOTCHAIN_BUILD_DIR=${CMAKE_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1")
endfunction()

# bootchain_python_test_files(<prefix>): one CTest test per test_*.py file of the calling
# folder, named <prefix>.<file name without test_>, so that CTest runs them in parallel.
function(bootchain_python_test_files prefix)
  file(GLOB files CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/test_*.py")
  foreach(file ${files})
    get_filename_component(module "${file}" NAME_WE)
    string(REGEX REPLACE "^test_" "${prefix}." name "${module}")
    bootchain_python_test(${name} ${module})
  endforeach()
endfunction()
