# Sourced by vqvae-spark.sh and local-cluster.sh: the JVM flags Spark's own launcher adds on Java 17
# (org.apache.spark.launcher.JavaModuleOptions; also the module's surefire argLine) and 127.0.0.1.
SPARK_JVM_OPTIONS="-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector \
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
--add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false \
-Dio.netty.tryReflectionSetAccessible=true"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
export SPARK_SCALA_VERSION=2.13

# Builds the module (package, into target/, never into ~/.m2) when its jar is missing or older than a source.
vqvae_spark_build() {
  local root="$1" jar="$1/vqvae-spark/target/vqvae-spark.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$root"/vqvae-core/src "$root"/vqvae-prior/src "$root"/vqvae-spark/src \
      "$root/pom.xml" "$root"/vqvae-*/pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]; then
    echo "vqvae spark: building vqvae-spark (first run or sources changed)..." >&2
    (cd "$root" && ./mvnw -B -q -pl vqvae-spark -am -DskipTests package >&2)
    touch "$jar"
  fi
}
