# ctest's driver for the consumer project (tests/cpp/consumer): configures,
# builds and runs it against autograd_cpp found one way. Run as
#   cmake -DMODE=installed|build_tree|subdirectory -DAG_BUILD_DIR=... -P consumer.cmake
# with AG_SOURCE_DIR, GENERATOR, CXX, BUILD_TYPE, PYTHON and (optional)
# LAUNCHER set by the test's definition in CMakeLists.txt.
set(work "${AG_BUILD_DIR}/consumer/${MODE}")
file(REMOVE_RECURSE "${work}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN}\nfailed (${rc}):\n${out}")
  endif()
  message("${out}")
endfunction()

set(args -S "${AG_SOURCE_DIR}/tests/cpp/consumer" -B "${work}/build" -G "${GENERATOR}"
         "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
# The core's compiler launcher (a compiler cache), when this environment has it.
if(LAUNCHER)
  find_program(launcher_path NAMES ${LAUNCHER})
  if(launcher_path)
    list(APPEND args "-DCMAKE_CXX_COMPILER_LAUNCHER=${launcher_path}")
  endif()
endif()
if(MODE STREQUAL "installed")
  # The user's own core/ and ops/ headers come first on the include path:
  # the installed headers include each other as <autograd_cpp/...> only.
  run("${CMAKE_COMMAND}" --install "${AG_BUILD_DIR}" --prefix "${work}/prefix")
  list(APPEND args "-DCMAKE_PREFIX_PATH=${work}/prefix" -DAG_CONSUMER_OWN_HEADERS=ON)
elseif(MODE STREQUAL "build_tree")
  # In the build tree the layers' include roots are on the path (they hold
  # core/, ops/, ...), so the user's headers of those names stay out.
  list(APPEND args "-Dautograd_cpp_DIR=${AG_BUILD_DIR}" -DAG_CONSUMER_OWN_HEADERS=OFF)
elseif(MODE STREQUAL "subdirectory")
  # This compiles the whole core again: unoptimised, it takes about half as
  # long (the kernels keep their own -O3).
  list(APPEND args -DCMAKE_BUILD_TYPE=Debug -DAG_CONSUMER_MODE=subdirectory "-DAG_SOURCE_DIR=${AG_SOURCE_DIR}"
       "-DPython3_EXECUTABLE=${PYTHON}" -DAG_CONSUMER_OWN_HEADERS=OFF)
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
run("${CMAKE_COMMAND}" ${args})
run("${CMAKE_COMMAND}" --build "${work}/build")
run("${work}/build/consumer")
