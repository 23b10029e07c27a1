# Helpers shared by the CMakeLists.txt files of aio.
#
# aio_add_layer(<name> DIRS <dir>... [DEPS <layer>...] [LIBS <target>...])
#   One static library per layer: target aio_<name>, alias aio::<name>, output libaiocpp_<name>.a
#   (never libaio*: that is Linux's kernel AIO library). Sources are src/<dir>/*.cpp, found by a
#   CONFIGURE_DEPENDS glob, so a new file needs no CMake edit. A layer links only the layers
#   beneath it (DEPS), so a call in the wrong direction fails to link. A layer with no source yet
#   gets a generated placeholder .cpp, so every layer's target, archive and -l flag always exist.
#
# aio_add_dependency(<package> [PC_REQUIRES <pkg-config module>...] [PC_LIBS <flag>...])
#   find_package(<package> REQUIRED) for a layer's LIBS, recorded so that the installed
#   aioConfig.cmake finds it again (find_dependency) and aiocpp.pc names it.
#
# aio_set_warnings(<target>)
#   The project's own warning flags (not propagated to consumers).

# A macro, so that the imported targets and <package>_FOUND land in the caller's scope: call it from
# the top-level CMakeLists.txt so that every folder sees the targets.
macro(aio_add_dependency package)
    cmake_parse_arguments(_aio_dep "" "" "PC_REQUIRES;PC_LIBS" ${ARGN})
    find_package(${package} REQUIRED)
    set_property(GLOBAL APPEND PROPERTY AIO_FIND_DEPENDENCIES ${package})
    set_property(GLOBAL APPEND PROPERTY AIO_PC_REQUIRES ${_aio_dep_PC_REQUIRES})
    set_property(GLOBAL APPEND PROPERTY AIO_PC_LIBS ${_aio_dep_PC_LIBS})
endmacro()

function(aio_set_warnings target)
    get_target_property(_type ${target} TYPE)
    if(_type STREQUAL "INTERFACE_LIBRARY")
        return()
    endif()
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra $<$<BOOL:${AIO_WERROR}>:-Werror>)
    endif()
    # g++ warns of a type with internal linkage inside another type (a coroutine frame holding
    # an anonymous-namespace object) unless the file is the main file; a unity build includes
    # every .cpp into a generated main file, so each such frame would warn. Compiled file by
    # file (a subproject build, the FetchContent check of the README) the warning stays on.
    if(AIO_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
    endif()
endfunction()

function(aio_add_layer name)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "DIRS;DEPS;LIBS")
    if(NOT ARG_DIRS)
        message(FATAL_ERROR "aio_add_layer(${name}): DIRS is required")
    endif()

    set(target aio_${name})
    set(sources "")
    foreach(dir IN LISTS ARG_DIRS)
        # The glob is re-checked at every build, also for a folder that does not exist yet.
        file(GLOB dir_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/${dir}/*.cpp")
        list(APPEND sources ${dir_sources})
    endforeach()
    if(NOT sources)
        list(JOIN ARG_DIRS ", " dir_names)
        set(placeholder "${PROJECT_BINARY_DIR}/generated/aio_${name}_placeholder.cpp")
        file(CONFIGURE OUTPUT "${placeholder}" CONTENT
            "// Generated: layer '${name}' has no sources yet (src/{${dir_names}}/*.cpp).\nnamespace aio::detail {\nvoid layer_${name}_placeholder() {}\n}  // namespace aio::detail\n")
        list(APPEND sources "${placeholder}")
    endif()

    add_library(${target} STATIC ${sources})
    add_library(aio::${name} ALIAS ${target})
    set_target_properties(${target} PROPERTIES
        OUTPUT_NAME aiocpp_${name}
        EXPORT_NAME ${name}
        POSITION_INDEPENDENT_CODE ON
        UNITY_BUILD ${AIO_UNITY_BUILD}
        UNITY_BUILD_BATCH_SIZE ${AIO_UNITY_BATCH_SIZE})
    target_compile_features(${target} PUBLIC cxx_std_20)
    target_include_directories(${target}
        PUBLIC
            $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
            $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
        PRIVATE
            ${PROJECT_SOURCE_DIR}/src)
    foreach(dep IN LISTS ARG_DEPS)
        target_link_libraries(${target} PUBLIC aio_${dep})
    endforeach()
    if(ARG_LIBS)
        target_link_libraries(${target} PUBLIC ${ARG_LIBS})
    endif()
    aio_set_warnings(${target})
    # aio's own sources are written around the g++ 12 co_await bug (docs/toolchain.md), so the
    # header's warning is for the user's code only, also under add_subdirectory(aio).
    target_compile_definitions(${target} PRIVATE AIO_ACCEPT_GCC_COAWAIT_BUG)

    # Layers in definition order, lowest first: the umbrella target, install and aiocpp.pc use it.
    set_property(GLOBAL APPEND PROPERTY AIO_LAYERS ${name})
endfunction()
