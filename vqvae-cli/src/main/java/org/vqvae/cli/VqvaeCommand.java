package org.vqvae.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code vqvae} command: train, inspect and use VQ-VAE models from the shell. Every failure
 * ends in one line on stderr and a non-zero exit status (1 for a failed run, 2 for bad usage).
 */
@Command(
        name = "vqvae",
        mixinStandardHelpOptions = true,
        version = "vqvae-djl 0.1.0",
        description = "Neural discrete representation learning (VQ-VAE) on DJL.",
        subcommands = {
            DemoCommand.class,
            TrainCommand.class,
            EncodeCommand.class,
            DecodeCommand.class,
            ReconstructCommand.class,
            PrepareCommand.class,
            ExtractCodesCommand.class,
            TrainPriorCommand.class,
            SampleCommand.class,
            EvaluateCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            CommandLine.HelpCommand.class
        })
public final class VqvaeCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Builds the command line with its error handlers.
     *
     * @return the configured command line
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VqvaeCommand());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof org.vqvae.core.train.StopRequest.TrainingStopped) {
                // Ctrl-C or kill during training: a checkpoint of the last step was written
                err.println("vqvae " + cmd.getCommandName() + ": " + ex.getMessage());
                err.flush();
                return 130;
            }
            err.println("vqvae " + cmd.getCommandName() + ": error: " + Errors.describe(ex));
            if (System.getenv("VQVAE_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("vqvae " + cmd.getCommandName() + ": " + ex.getMessage()
                    + " (see 'vqvae " + (cmd.getParent() == null ? "" : cmd.getCommandName() + " ") + "--help')");
            err.flush();
            return 2;
        });
        return cl;
    }

    /** How long the shutdown hook waits for a training loop to reach a step boundary. */
    private static final java.time.Duration STOP_WAIT = java.time.Duration.ofMinutes(2);

    /** Counted down when the command has returned and reported its outcome. */
    private static final java.util.concurrent.CountDownLatch REPORTED = new java.util.concurrent.CountDownLatch(1);

    private static void stopTraining() {
        org.vqvae.core.train.StopRequest.request();
        try {
            if (!org.vqvae.core.train.StopRequest.awaitIdle(STOP_WAIT)) {
                System.err.println("vqvae: the training step did not end within " + STOP_WAIT.toSeconds()
                        + " s; exiting without a checkpoint of it (--resume continues from the last one)");
                return;
            }
            // a stopped loop's command still says so (one line) before the JVM goes
            REPORTED.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the command.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        // DJL downloads nothing by default: natives come from the jars on the class path. A user with
        // internet and a GPU may pass -Dai.djl.offline=false (VQVAE_OFFLINE=false) with PYTORCH_FLAVOR=cu128
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // Ctrl-C or kill: let a training loop finish its step and write a checkpoint of it before the
        // JVM frees libtorch's state under it (which would crash it mid-step)
        Runtime.getRuntime().addShutdownHook(new Thread(VqvaeCommand::stopTraining, "vqvae-stop"));
        int status = commandLine().execute(args);
        REPORTED.countDown();
        System.exit(status);
    }
}
