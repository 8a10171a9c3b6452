package org.vqvae.core.data;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Reads an image file into exactly the pixels a PyTorch ImageNet pipeline trains on: torchvision
 * 0.14's {@code ImageFolder} ({@code pil_loader}: {@code Image.open(f).convert('RGB')}), then
 * {@code Resize(size)} and {@code CenterCrop(size)} on the PIL image, with Pillow 9.
 *
 * <p>JPEG and PNG are recognised by content, not by extension. JPEGs are decoded by TwelveMonkeys
 * (through the JDK's libjpeg). Plain JFIF files are converted to RGB by libjpeg, as under Pillow;
 * all others are read as raw samples and colour-converted here as Pillow does, without ICC
 * profiles, so CMYK and YCCK files get Pillow's colours. PNGs are decoded by the JDK and lose
 * their alpha without compositing, as {@code convert('RGB')} does. 16-bit PNGs keep the high byte
 * of each sample; Pillow does the same for colour but clips 16-bit greyscale to 255 (almost all
 * white), which is not copied here.
 *
 * <p>Thread-safe: every call uses its own readers and buffers.
 */
public final class ImageDecoder {

    private static final ImageReaderSpi JPEG = lookupJpeg();

    private ImageDecoder() {}

    /**
     * The error an image source reports for one image: {@code "image NAME: why"}, with the name
     * once (a decoder's message that already names the image keeps its own wording).
     *
     * @param shown the image as the source names it
     * @param e what the decoder threw
     * @return the error to throw
     */
    public static IOException imageError(String shown, IOException e) {
        String m = e.getMessage();
        return new IOException(m != null && m.contains(shown) ? "image " + m : "image " + shown + ": " + m, e);
    }

    /**
     * Decodes a file, resizes its short side to {@code size} and centre-crops a square, as
     * {@code Resize(size)} and {@code CenterCrop(size)} do on the PIL image.
     *
     * @param file a JPEG or PNG file, whatever its extension
     * @param size the side of the square
     * @param channels 3 for RGB, 1 for greyscale (PIL's {@code convert('L')} before resizing)
     * @return unsigned bytes {@code [channels, size, size]}, row-major (CHW)
     * @throws IOException naming the file, if it cannot be read, is no JPEG or PNG, or is
     *     truncated or corrupt
     */
    public static byte[] readSquare(Path file, int size, int channels) throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
        return resizeCenterCrop(decode(file, channels), size);
    }

    /**
     * Decodes a file as {@code Image.open(f).convert('RGB')} does, or its {@code convert('L')}.
     *
     * @param file a JPEG or PNG file, whatever its extension
     * @param channels 3 for RGB, 1 for greyscale
     * @return the pixels, HWC
     * @throws IOException naming the file, if it cannot be read, is no JPEG or PNG, or is
     *     truncated or corrupt
     */
    public static DecodedImage decode(Path file, int channels) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        return decode(data, file.toString(), channels);
    }

    /**
     * Decodes the bytes of an image file as {@code Image.open(f).convert('RGB')} does, or its
     * {@code convert('L')}.
     *
     * @param data the whole file
     * @param name what error messages call it
     * @param channels 3 for RGB, 1 for greyscale
     * @return the pixels, HWC
     * @throws IOException naming the file, if it is no JPEG or PNG, or is truncated or corrupt
     */
    public static DecodedImage decode(byte[] data, String name, int channels) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        DecodedImage image;
        try {
            if (isJpeg(data)) {
                image = decodeJpeg(data);
            } else if (isPng(data)) {
                image = decodePng(data);
            } else {
                throw new IIOException(data.length == 0 ? "not an image: empty file"
                        : "not an image: unsupported format (neither JPEG nor PNG content)");
            }
        } catch (IOException | RuntimeException e) {
            // RuntimeException too: decoders throw them on some corrupt streams
            throw new IOException(name + ": " + reason(e), e);
        }
        return channels == 1 ? image.toGrey() : toRgb(image);
    }

    /**
     * Resizes the short side to {@code size} with Pillow's antialiased BILINEAR filter and crops
     * the centre square, as torchvision 0.14's {@code Resize(size)} and {@code CenterCrop(size)}.
     *
     * @param image the decoded image
     * @param size the side of the square
     * @return unsigned bytes {@code [channels, size, size]}, row-major (CHW)
     */
    public static byte[] resizeCenterCrop(DecodedImage image, int size) {
        return resizeCenterCrop(image, size, size);
    }

    /**
     * Resizes an image, keeping its aspect ratio, until it just covers {@code width x height}, and
     * crops the centre: for a square this is {@link #resizeCenterCrop(DecodedImage, int)}
     * (torchvision's {@code Resize(size)} then {@code CenterCrop(size)}), byte for byte.
     *
     * @param image the decoded image
     * @param width the width wanted
     * @param height the height wanted
     * @return unsigned bytes {@code [channels, height, width]}, row-major (CHW)
     */
    public static byte[] resizeCenterCrop(DecodedImage image, int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("size must be positive, got " + width + "x" + height);
        }
        int w = image.width();
        int h = image.height();
        int[] out;
        if ((long) w * height <= (long) h * width) {
            // the width limits: it becomes `width`, the height follows as Resize truncates it
            out = new int[] {width, (int) ((double) width * h / w)};
        } else {
            out = new int[] {(int) ((double) height * w / h), height};
        }
        // round() in Python rounds half to even: rint does the same
        int top = (int) Math.rint((out[1] - height) / 2.0);
        int left = (int) Math.rint((out[0] - width) / 2.0);
        return BilinearResample.resizeWindow(image, out[0], out[1], left, top, width, height);
    }

    /**
     * The size torchvision 0.14's {@code Resize(size)} gives: the short side becomes {@code size},
     * the long side {@code int(size * long / short)}.
     *
     * @param width the image width
     * @param height the image height
     * @param size the short side wanted
     * @return {@code {width, height}} after resizing
     */
    public static int[] resizedSize(int width, int height, int size) {
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        int newLong = (int) ((double) size * longSide / shortSide);
        return width <= height ? new int[] {size, newLong} : new int[] {newLong, size};
    }

    private static DecodedImage toRgb(DecodedImage image) {
        if (image.channels() == 3) {
            return image;
        }
        byte[] grey = image.pixels();
        byte[] rgb = new byte[grey.length * 3];
        for (int i = 0; i < grey.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
        }
        return new DecodedImage(image.width(), image.height(), 3, rgb);
    }

    private static boolean isJpeg(byte[] d) {
        return d.length >= 3 && (d[0] & 0xFF) == 0xFF && (d[1] & 0xFF) == 0xD8 && (d[2] & 0xFF) == 0xFF;
    }

    private static boolean isPng(byte[] d) {
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        if (d.length < sig.length) {
            return false;
        }
        for (int i = 0; i < sig.length; i++) {
            if (d[i] != sig[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Plain JFIF files are converted to RGB by libjpeg itself, as under Pillow; every other JPEG
     * is read as raw samples and converted here, since TwelveMonkeys' own conversion would apply
     * ICC profiles and its own CMYK rules.
     */
    private static DecodedImage decodeJpeg(byte[] data) throws IOException {
        JpegColour.Markers markers = JpegColour.Markers.scan(data);
        ImageReader reader = JPEG.createReaderInstance();
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        Raster raster;
        byte[] rgb = null;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            if (markers.plainYCbCr()) {
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                checkSize(w, h);
                rgb = new byte[w * h * 3];
                raster = reader.read(0, rgbInto(rgb, w, h, reader)).getRaster();
            } else {
                raster = reader.readRaster(0, null);
            }
        } finally {
            reader.dispose();
        }
        for (String warning : warnings) {
            if (isTruncation(warning)) {
                // Pillow refuses such a file ("image file is truncated"); libjpeg only warns and pads it grey
                throw new IIOException("truncated JPEG data (" + warning + ")");
            }
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        if (rgb != null) {
            return new DecodedImage(w, h, 3, rgb);
        }
        int bands = raster.getNumBands();
        if (bands != 1 && bands != 3 && bands != 4) {
            throw new IIOException("unsupported JPEG with " + bands + " components");
        }
        JpegColour.Space space = JpegColour.space(markers, bands);
        checkSize(w, h);
        byte[] samples = packedBytes(raster);
        if (space == JpegColour.Space.GREY) {
            return new DecodedImage(w, h, 1, samples);
        }
        return new DecodedImage(w, h, 3, JpegColour.toRgb(space, samples, bands, w * h));
    }

    /**
     * Read parameters that make the reader decode into {@code rgb}: R, G, B in that order, so the
     * JDK copies each decoded row with one array copy rather than reordering it to BGR per pixel.
     */
    private static ImageReadParam rgbInto(byte[] rgb, int w, int h, ImageReader reader) {
        WritableRaster raster = Raster.createInterleavedRaster(new DataBufferByte(rgb, rgb.length), w, h,
                w * 3, 3, new int[] {0, 1, 2}, null);
        ColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        ImageReadParam param = reader.getDefaultReadParam();
        param.setDestination(new BufferedImage(model, raster, false, null));
        return param;
    }

    /**
     * A raster's 8-bit samples, all bands of a pixel together, rows without padding. The JPEG
     * reader's rasters are laid out so already: their own array is returned, not copied.
     */
    private static byte[] packedBytes(Raster raster) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        if (isPacked(raster)) {
            return ((DataBufferByte) raster.getDataBuffer()).getData();
        }
        byte[] out = new byte[w * h * bands];
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int i = 0; i < row.length; i++) {
                out[y * row.length + i] = (byte) row[i];
            }
        }
        return out;
    }

    private static boolean isPacked(Raster raster) {
        int bands = raster.getNumBands();
        if (!(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel model)
                || buffer.getNumBanks() != 1 || buffer.getOffset() != 0
                || raster.getSampleModelTranslateX() != raster.getMinX()
                || raster.getSampleModelTranslateY() != raster.getMinY()
                || model.getPixelStride() != bands || model.getScanlineStride() != raster.getWidth() * bands
                || buffer.getData().length != raster.getWidth() * raster.getHeight() * bands) {
            return false;
        }
        int[] offsets = model.getBandOffsets();
        for (int b = 0; b < bands; b++) {
            if (offsets[b] != b || model.getSampleSize(b) != 8) {
                return false;
            }
        }
        return true;
    }

    /** libjpeg's warnings that the data ended early; others (extraneous bytes...) Pillow accepts too. */
    private static boolean isTruncation(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("premature end") || w.contains("truncat") || w.contains("eof");
    }

    /** The JDK's PNG reader; the samples are read as stored, so gamma and ICC chunks are ignored as Pillow does. */
    private static DecodedImage decodePng(byte[] data) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
        if (!readers.hasNext()) {
            throw new IIOException("no PNG reader installed");
        }
        ImageReader reader = readers.next();
        BufferedImage image;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            image = reader.read(0);
        } finally {
            reader.dispose();
        }
        Raster raster = image.getRaster();
        ColorModel model = image.getColorModel();
        int w = raster.getWidth();
        int h = raster.getHeight();
        checkSize(w, h);
        if (model instanceof IndexColorModel palette) {
            // palette, and greyscale below 8 bits: the palette's colours, transparency ignored
            boolean grey = isGreyRamp(palette);
            byte[] out = new byte[w * h * (grey ? 1 : 3)];
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = row[x];
                    int o = y * w + x;
                    if (grey) {
                        out[o] = (byte) palette.getRed(i);
                    } else {
                        out[3 * o] = (byte) palette.getRed(i);
                        out[3 * o + 1] = (byte) palette.getGreen(i);
                        out[3 * o + 2] = (byte) palette.getBlue(i);
                    }
                }
            }
            return new DecodedImage(w, h, grey ? 1 : 3, out);
        }
        int bands = raster.getNumBands();
        // grey, grey + alpha, RGB, RGBA: alpha is dropped, not composited
        int colours = bands <= 2 ? 1 : 3;
        byte[] out = new byte[w * h * colours];
        for (int c = 0; c < colours; c++) {
            byte[] plane = rows(raster, c);
            for (int i = 0; i < plane.length; i++) {
                out[i * colours + c] = plane[i];
            }
        }
        return new DecodedImage(w, h, colours, out);
    }

    /** Refuses images whose RGB bytes would not fit one Java array. */
    private static void checkSize(int w, int h) throws IIOException {
        if ((long) w * h * 3 > Integer.MAX_VALUE - 16) {
            throw new IIOException("image too large to decode: " + w + "x" + h);
        }
    }

    /** A greyscale PNG of 1, 2 or 4 bits comes as a palette of equal R, G and B. */
    private static boolean isGreyRamp(IndexColorModel palette) {
        for (int i = 0; i < palette.getMapSize(); i++) {
            if (palette.getRed(i) != palette.getGreen(i) || palette.getRed(i) != palette.getBlue(i)) {
                return false;
            }
        }
        return true;
    }

    /** One band as bytes; 16-bit samples keep their high byte. */
    private static byte[] rows(Raster raster, int band) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int shift = Math.max(0, raster.getSampleModel().getSampleSize(band) - 8);
        byte[] out = new byte[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, band, row);
            for (int x = 0; x < w; x++) {
                out[y * w + x] = (byte) (row[x] >> shift);
            }
        }
        return out;
    }

    /** One line naming what went wrong, whatever the decoder threw. */
    private static String reason(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            String m = t.getMessage();
            String part = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
            if (sb.indexOf(part) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(part);
            }
        }
        String line = sb.toString().replaceAll("\\s+", " ").trim();
        String lower = line.toLowerCase(Locale.ROOT);
        if (e instanceof java.io.EOFException || lower.contains("eof") || lower.contains("end of")) {
            return "truncated or corrupt image data (" + line + ")";
        }
        return lower.startsWith("not an image") || lower.startsWith("truncated") ? line
                : "corrupt or unreadable image data (" + line + ")";
    }

    /** TwelveMonkeys' JPEG reader, registered by hand where a merged jar lost its service file. */
    private static ImageReaderSpi lookupJpeg() {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        JPEGImageReaderSpi spi = registry.getServiceProviderByClass(JPEGImageReaderSpi.class);
        if (spi == null) {
            registry.registerServiceProvider(new JPEGImageReaderSpi());
            spi = registry.getServiceProviderByClass(JPEGImageReaderSpi.class);
        }
        if (spi == null) {
            throw new IllegalStateException("TwelveMonkeys JPEG reader could not be registered with ImageIO");
        }
        return spi;
    }
}
