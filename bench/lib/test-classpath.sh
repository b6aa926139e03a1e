# Sourced by the bench scripts that run a main class from footfall-app's test sources (LoaderBench, RetentionBench):
# compiles them and prints the classpath, footfall's own classes first. Run from the project root.
test_classpath() {
  mvn -B -q -pl footfall-app -am test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
  echo "footfall-app/target/test-classes:footfall-app/target/classes:$(cat footfall-app/target/bench.classpath)"
}
