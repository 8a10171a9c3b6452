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
        System.exit(commandLine().execute(args));
    }
}
