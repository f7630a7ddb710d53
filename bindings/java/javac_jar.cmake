# Compiles every .java file under SOURCE_DIRS into the jar OUTPUT (cmake -P script, run at build
# time because SWIG decides the names of the generated Java files).
#   -DJAVAC=... -DJAR=... -DSOURCE_DIRS=dir1:dir2 [-DCLASSPATH=a.jar:b.jar] -DWORK_DIR=... -DOUTPUT=x.jar
# Colons separate list items (a CMake list would be split on the way into this script).
foreach(required JAVAC JAR SOURCE_DIRS WORK_DIR OUTPUT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "javac_jar.cmake: ${required} is not set")
  endif()
endforeach()

string(REPLACE ":" ";" source_dirs "${SOURCE_DIRS}")
set(sources "")
foreach(dir IN LISTS source_dirs)
  file(GLOB_RECURSE found "${dir}/*.java")
  list(APPEND sources ${found})
endforeach()
if(NOT sources)
  message(FATAL_ERROR "javac_jar.cmake: no .java files under ${SOURCE_DIRS}")
endif()

set(classes "${WORK_DIR}/classes")
file(REMOVE_RECURSE "${classes}")
file(MAKE_DIRECTORY "${classes}")
set(classpath_option "")
if(CLASSPATH)
  set(classpath_option -classpath "${CLASSPATH}")
endif()
# --release 11: the jar runs on any Java 11 or later.
execute_process(COMMAND "${JAVAC}" --release 11 -encoding UTF-8 -Xlint:all -d "${classes}" ${classpath_option}
                        ${sources}
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "javac failed for ${OUTPUT}")
endif()
execute_process(COMMAND "${JAR}" --create --file "${OUTPUT}" -C "${classes}" . RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "jar failed for ${OUTPUT}")
endif()
