# aio_check_coawait_toolchain(): warns at configure time when the C++ compiler miscompiles the code
# aio's users write (g++ 10-12 destroy a lambda with captures or an aggregate temporary written
# inside a co_await expression twice: GCC PR 100611). It compiles and runs a probe with the
# compiler in use, so it is exact for any version, and caches the answer per compiler.
# Included by aio's own CMakeLists.txt and by the installed aioConfig.cmake (find_package(aio)).
# Set AIO_ACCEPT_GCC_COAWAIT_BUG=ON to silence it deliberately.
#
# aio_check_coawait_toolchain([RESULT <var>]): <var> is set to "correct", "miscompiles" or
# "unknown" (not GNU or Clang, or the probe did not build).

set(_aio_probe_source "${CMAKE_CURRENT_LIST_DIR}/aio_coawait_probe.cpp")

function(aio_check_coawait_toolchain)
    cmake_parse_arguments(PARSE_ARGV 0 ARG "" "RESULT" "")
    if(ARG_RESULT)
        set(${ARG_RESULT} "unknown" PARENT_SCOPE)
    endif()
    if(NOT CMAKE_CXX_COMPILER_LOADED OR NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        return()
    endif()
    set(key "${CMAKE_CXX_COMPILER_ID}-${CMAKE_CXX_COMPILER_VERSION}")
    string(MAKE_C_IDENTIFIER "${key}" key)
    set(var AIO_COAWAIT_PROBE_${key})
    if(NOT DEFINED ${var})
        try_run(run_result compile_result
            "${CMAKE_BINARY_DIR}/CMakeFiles/aio_coawait_probe" "${_aio_probe_source}"
            CMAKE_FLAGS "-DCMAKE_CXX_STANDARD=20" "-DCMAKE_CXX_STANDARD_REQUIRED=ON"
            COMPILE_OUTPUT_VARIABLE compile_output)
        if(NOT compile_result)
            set(answer "unknown")
        elseif(run_result EQUAL 0)
            set(answer "correct")
        else()
            set(answer "miscompiles")
        endif()
        set(${var} "${answer}" CACHE INTERNAL "aio: does ${key} compile temporaries in co_await correctly?")
    endif()
    if(ARG_RESULT)
        set(${ARG_RESULT} "${${var}}" PARENT_SCOPE)
    endif()
    if(${var} STREQUAL "miscompiles" AND NOT AIO_ACCEPT_GCC_COAWAIT_BUG)
        message(WARNING
            "aio: ${CMAKE_CXX_COMPILER} (${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}) "
            "destroys temporaries written inside a co_await expression twice (GCC PR 100611): "
            "`co_await f([name] {...})` with a captured std::string, or "
            "`co_await f({.cwd = \"/tmp\"})` with an owning member, crash at run time.\n"
            "The way out: configure with clang++ (CXX=clang++ cmake ..., or "
            "-DCMAKE_CXX_COMPILER=clang++), which aio's own builds use. If you must keep this "
            "compiler, name every capturing lambda and option struct in a variable before the "
            "co_await, and set AIO_ACCEPT_GCC_COAWAIT_BUG=ON (CMake) and define "
            "AIO_ACCEPT_GCC_COAWAIT_BUG (compiler) to silence this. See docs/toolchain.md.")
    endif()
endfunction()
