package org.vqvae.prior.rosinality;

import ai.djl.ndarray.types.Shape;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a {@link RosinalityPixelSnailConfig} off the keys and shapes of rosinality's state_dict. */
final class StateDictLayout {

    private static final String FIRST = "horizontal.conv.conv.weight_v";

    private StateDictLayout() {}

    static RosinalityPixelSnailConfig infer(Map<String, Shape> shapes) {
        if (!shapes.containsKey("background") && shapes.containsKey("module.background")) {
            throw new IllegalArgumentException("the state_dict's keys start with 'module.' (saved from a DataParallel "
                    + "wrapper): strip that prefix");
        }
        Shape background = require(shapes, "background", 4, "[1, 2, H, W]");
        Shape first = require(shapes, FIRST, 4, "[channel, n_class, kernel / 2, kernel]");
        int height = (int) background.get(2);
        int width = (int) background.get(3);
        int channel = (int) first.get(0);
        int numCodes = (int) first.get(1);
        int kernel = (int) first.get(3);
        int blocks = count(shapes, Pattern.compile("blocks\\.(\\d+)\\..*"));
        if (blocks == 0) {
            throw new IllegalArgumentException("the state_dict has no 'blocks.0.*' keys: not a rosinality PixelSNAIL");
        }
        int resBlocks = count(shapes, Pattern.compile("blocks\\.0\\.resblocks\\.(\\d+)\\..*"));
        int outResBlocks = count(shapes, Pattern.compile("out\\.(\\d+)\\.conv1\\..*"));
        boolean attention = shapes.keySet().stream().anyMatch(k -> k.startsWith("blocks.0.key_resblock."));
        int kernelSize = kernel;
        int resChannel = channel;
        if (resBlocks > 0) {
            Shape conv1 = require(shapes, "blocks.0.resblocks.0.conv1.conv.conv.weight_v", 4,
                    "[res_channel, channel, kernel_size, kernel_size]");
            resChannel = (int) conv1.get(0);
            kernelSize = (int) conv1.get(2);
        } else if (outResBlocks > 0) {
            resChannel = (int) require(shapes, "out.0.conv1.conv.weight_v", 4, "[res_channel, channel, 1, 1]").get(0);
        }
        // cond_resnet.blocks.0 is its first convolution, blocks 1.. its gated residual blocks
        int condBlocks = Math.max(0, count(shapes, Pattern.compile("cond_resnet\\.blocks\\.(\\d+)\\..*")) - 1);
        int condChannel = 0;
        int condKernel = 3;
        if (shapes.containsKey("cond_resnet.blocks.0.conv.weight_v")) {
            Shape c = require(shapes, "cond_resnet.blocks.0.conv.weight_v", 4,
                    "[cond_res_channel, n_class, cond_res_kernel, cond_res_kernel]");
            condChannel = (int) c.get(0);
            condKernel = (int) c.get(2);
        } else if (shapes.containsKey("blocks.0.resblocks.0.condition.conv.weight_v")) {
            // conditioning convolutions without a conditioning ResNet (cond_res_channel without n_cond_res_block)
            condChannel = (int) require(shapes, "blocks.0.resblocks.0.condition.conv.weight_v", 4,
                    "[2 * channel, cond_res_channel, 1, 1]").get(1);
        }
        try {
            return new RosinalityPixelSnailConfig(numCodes, height, width, channel, kernelSize, blocks, resBlocks,
                    resChannel, attention, RosinalityPixelSnailConfig.HEADS, RosinalityPixelSnailConfig.DROPOUT,
                    condBlocks, condChannel, condKernel, outResBlocks, RosinalityPixelSnailConfig.CHUNK, false).validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the state_dict does not describe a PixelSNAIL this library can run: "
                    + e.getMessage(), e);
        }
    }

    private static Shape require(Map<String, Shape> shapes, String key, int dims, String expected) {
        Shape s = shapes.get(key);
        if (s == null) {
            throw new IllegalArgumentException("the state_dict has no '" + key + "' " + expected
                    + ": not a rosinality PixelSNAIL");
        }
        if (s.dimension() != dims) {
            throw new IllegalArgumentException("state_dict key '" + key + "' is " + s + ", expected " + expected);
        }
        return s;
    }

    /** One more than the largest index the pattern's group captures, 0 when no key matches. */
    private static int count(Map<String, Shape> shapes, Pattern p) {
        int n = 0;
        for (String k : shapes.keySet()) {
            Matcher m = p.matcher(k);
            if (m.matches()) {
                n = Math.max(n, Integer.parseInt(m.group(1)) + 1);
            }
        }
        return n;
    }
}
