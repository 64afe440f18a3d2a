# How freestanding modules for GNU Mach are compiled and linked, and how MIG stubs are made.

set(GUEST_COMMON_FLAGS
  -ffreestanding -fno-pie -mno-red-zone -fno-stack-protector -fno-builtin-printf
  -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns -ffunction-sections -fdata-sections -fno-omit-frame-pointer -O2 -g
  -Wall -Wextra -Werror)
set(GUEST_CXX_FLAGS -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit)
# The generated MIG stubs are old-style C: only the warnings that matter stay errors there.
set(GUEST_MIG_C_FLAGS -Wno-unused-parameter -Wno-unused-variable -Wno-sign-compare
  -Wno-missing-field-initializers -Wno-unused-but-set-variable)

set(GUEST_LINKER_SCRIPT "${CMAKE_SOURCE_DIR}/lib/runtime/module.ld")

# Interfaces every guest target sees: the freestanding shim headers, then the kernel's headers.
add_library(guest_flags INTERFACE)
target_include_directories(guest_flags SYSTEM INTERFACE
  "${CMAKE_SOURCE_DIR}/lib/runtime/include" "${MACH_INCLUDE}")
target_compile_options(guest_flags INTERFACE ${GUEST_COMMON_FLAGS}
  $<$<COMPILE_LANGUAGE:CXX>:${GUEST_CXX_FLAGS}>)
target_compile_definitions(guest_flags INTERFACE BOOTCHAIN_GUEST=1)

set(MIG_OUT "${CMAKE_BINARY_DIR}/mig")
file(MAKE_DIRECTORY "${MIG_OUT}")

# bootchain_mig(TARGET <lib> DEFS <file> [USER] [SERVER] [FLAGS ...])
# Generates the client stubs (NAME_U.c/.h) and/or server stubs (NAME_S.c/.h) from a .defs file
# at build time into build/mig and compiles them into the static library <lib>.
function(bootchain_mig)
  cmake_parse_arguments(M "USER;SERVER" "TARGET;DEFS;NAME" "FLAGS" ${ARGN})
  if(NOT M_NAME)
    get_filename_component(M_NAME "${M_DEFS}" NAME_WE)
  endif()
  set(outputs)
  set(user_args -user /dev/null -header /dev/null)
  set(server_args -server /dev/null -sheader /dev/null)
  if(M_USER)
    set(user_args -user "${MIG_OUT}/${M_NAME}_U.c" -header "${MIG_OUT}/${M_NAME}_U.h")
    list(APPEND outputs "${MIG_OUT}/${M_NAME}_U.c" "${MIG_OUT}/${M_NAME}_U.h")
  endif()
  if(M_SERVER)
    set(server_args -server "${MIG_OUT}/${M_NAME}_S.c" -sheader "${MIG_OUT}/${M_NAME}_S.h")
    list(APPEND outputs "${MIG_OUT}/${M_NAME}_S.c" "${MIG_OUT}/${M_NAME}_S.h")
  endif()
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E env CC=${CMAKE_C_COMPILER}
            "${MIG}" -nostdinc -I${CMAKE_SOURCE_DIR}/defs -I${MACH_INCLUDE} ${M_FLAGS}
            ${user_args} ${server_args} "${M_DEFS}"
    DEPENDS "${M_DEFS}"
    WORKING_DIRECTORY "${MIG_OUT}"
    COMMENT "MIG ${M_NAME}"
    VERBATIM)
  set(sources)
  foreach(o ${outputs})
    if(o MATCHES "\\.c$")
      list(APPEND sources "${o}")
    endif()
  endforeach()
  if(NOT TARGET ${M_TARGET})
    add_library(${M_TARGET} STATIC)
    target_link_libraries(${M_TARGET} PUBLIC guest_flags)
  endif()
  target_include_directories(${M_TARGET} PUBLIC "${MIG_OUT}")
  set_source_files_properties(${sources} PROPERTIES COMPILE_OPTIONS "${GUEST_MIG_C_FLAGS}")
  target_sources(${M_TARGET} PRIVATE ${sources} ${outputs})
endfunction()

# bootchain_module(<name> SOURCES ... LIBS ...): a static ELF64 module GNU Mach can load.
function(bootchain_module name)
  cmake_parse_arguments(M "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${M_SOURCES})
  target_link_libraries(${name} PRIVATE ${M_LIBS} mach_runtime guest_flags)
  target_link_options(${name} PRIVATE -nostdlib -static -no-pie -Wl,--build-id=none
    -Wl,-T,${GUEST_LINKER_SCRIPT} -Wl,--gc-sections -Wl,-z,noexecstack)
  # libgcc last, for the helpers the compiler may call (128-bit division and the like).
  target_link_libraries(${name} PRIVATE gcc)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/modules"
    LINK_DEPENDS "${GUEST_LINKER_SCRIPT}")
endfunction()

# bootchain_portable_library(<name> SOURCES ...): code that knows nothing of Mach, built twice:
# <name> for host programs and tests, <name>_guest for modules.
# The host's copies of the portable libraries serve the host tests only: they are built, and
# everything that links them is built and linked, with AddressSanitizer and
# UndefinedBehaviorSanitizer, so that every unit test checks the library code it runs.
add_library(host_sanitizers INTERFACE)
target_compile_options(host_sanitizers INTERFACE -g -fno-omit-frame-pointer -fsanitize=address,undefined
  -fno-sanitize-recover=undefined)
target_link_options(host_sanitizers INTERFACE -fsanitize=address,undefined)

function(bootchain_portable_library name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${M_SOURCES})
  target_include_directories(${name} PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/..")
  target_compile_options(${name} PRIVATE -Wall -Wextra -Werror)
  target_link_libraries(${name} PUBLIC host_sanitizers)
  add_library(${name}_guest STATIC ${M_SOURCES})
  target_include_directories(${name}_guest PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/..")
  target_link_libraries(${name}_guest PUBLIC guest_flags)
  foreach(d ${M_DEPS})
    target_link_libraries(${name} PUBLIC ${d})
    target_link_libraries(${name}_guest PUBLIC ${d}_guest)
  endforeach()
endfunction()
