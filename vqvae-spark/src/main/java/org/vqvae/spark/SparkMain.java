package org.vqvae.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code vqvae spark JOB}: the Spark jobs' command line, and the main class of the cluster jar
 * ({@code spark-submit --class org.vqvae.spark.SparkMain vqvae-spark-cluster.jar JOB ...}). Bad input
 * gets one line on stderr and a non-zero exit (1 for a failed run, 2 for bad usage), as the
 * {@code vqvae} command does.
 */
@Command(name = "vqvae spark", mixinStandardHelpOptions = true,
        description = "Run a vqvae pipeline step as an Apache Spark job.",
        subcommands = {ExtractCodesCommand.class, PrepareCommand.class, SampleCommand.class})
public final class SparkMain implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Builds the command line with its error handler.
     *
     * @return the command line
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            err.println("vqvae spark " + cmd.getCommandName() + ": error: " + describe(ex));
            if (System.getenv("VQVAE_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cl;
    }

    /**
     * The one line a user reads for a failure: the innermost message, and for a failed Spark task
     * the task's own exception rather than the scheduler's account of it.
     *
     * @param ex the failure
     * @return one line
     */
    static String describe(Throwable ex) {
        Throwable t = ex;
        while ((t.getMessage() == null || t instanceof java.lang.reflect.InvocationTargetException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof java.nio.file.NoSuchFileException f) {
            return f.getReason() != null ? f.getFile() + ": " + f.getReason() : "no such file: " + f.getFile();
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int failure = msg.indexOf("most recent failure: ");
        if (failure >= 0) {
            // "Lost task 0.0 in stage 0.0 (TID 0) (host executor driver): java.io.IOException: image x: ..."
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\): ([\\w.$]+(Exception|Error)): ")
                    .matcher(msg.substring(failure));
            if (m.find()) {
                msg = msg.substring(failure + m.end());
            }
        }
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    /**
     * Runs a job and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "vqvae-spark-log4j2.properties");
        }
        int status = commandLine().execute(args);
        System.exit(status);
    }
}
