package org.vqvae.core.djl;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.vqvae.core.data.DecodedImage;
import org.vqvae.core.data.ImageDecoder;
import org.vqvae.core.io.HostArrays;
import org.vqvae.core.io.ImageGrid;
/**
 * Converts DJL images to a model's input and its output back, as the {@code vqvae} command
 * converts image folders: any size is resized (aspect kept) to cover the model's size and
 * centre-cropped ({@link ImageDecoder#resizeCenterCrop}, Pillow's bilinear filter), colour becomes
 * grey by PIL's {@code convert('L')} for a greyscale model and grey is repeated into RGB for a
 * colour one, and pixels go to [-0.5, 0.5].
 */
final class ModelImages {

    private final int channels;
    private final int height;
    private final int width;

    /**
     * Converts for a model's input shape.
     *
     * @param input {@code [N, C, H, W]} of the model
     */
    ModelImages(Shape input) {
        channels = (int) input.get(1);
        height = (int) input.get(2);
        width = (int) input.get(3);
    }

    /**
     * Converts an image to the model's input.
     *
     * @param image any size, grey or colour
     * @param manager owner of the result
     * @return float32 {@code [C, H, W]} in [-0.5, 0.5]
     */
    NDArray toInput(Image image, NDManager manager) {
        byte[] rgb;
        try (NDArray hwc = image.toNDArray(manager, Image.Flag.COLOR)) {
            rgb = hwc.toType(DataType.UINT8, false).toByteArray();
        }
        DecodedImage decoded = new DecodedImage(image.getWidth(), image.getHeight(), 3, rgb);
        if (channels == 1) {
            decoded = decoded.toGrey();
        }
        byte[] chw = ImageDecoder.resizeCenterCrop(decoded, width, height);
        return HostArrays.images(manager, chw, 0, new Shape(channels, height, width));
    }

    /**
     * Converts a model output to an RGB image (a greyscale model's grey in all three channels).
     *
     * @param output {@code [C, H, W]} in the models' pixel scale
     * @param manager a manager for the temporary pixel array
     * @return the image
     */
    static Image toImage(NDArray output, NDManager manager) {
        Shape s = output.getShape();
        int c = (int) s.get(0);
        int h = (int) s.get(1);
        int w = (int) s.get(2);
        float[] px = output.toType(DataType.FLOAT32, false).toFloatArray();
        byte[] hwc = new byte[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < 3; k++) {
                    int ch = c == 1 ? 0 : k;
                    hwc[(y * w + x) * 3 + k] = (byte) ImageGrid.pixel(px[(ch * h + y) * w + x]);
                }
            }
        }
        try (NDArray pixels = HostArrays.bytes(manager, hwc, 0, new Shape(h, w, 3), DataType.UINT8)) {
            return ImageFactory.getInstance().fromNDArray(pixels);
        }
    }
}
