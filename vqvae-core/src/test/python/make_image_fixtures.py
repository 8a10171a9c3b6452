#!/usr/bin/python3
"""Writes the fixtures ImageDecoderTest compares against: small image files and what PIL and
torchvision 0.14 make of them (Debian 12: python3-pil, python3-torchvision, python3-skimage,
imagemagick for the YCCK, 4:4:0, 4:1:1, interlaced and 16-bit RGB files, libgs-common
for two ICC profiles, libjpeg-turbo-progs' cjpeg for an RGB-coded JPEG).

    /usr/bin/python3 vqvae-core/src/test/python/make_image_fixtures.py

For every image file NAME it writes
  NAME.rgb        Image.open(f).convert('RGB') as raw bytes, HWC
  NAME.s<S>.rgb   ... then Resize(S), CenterCrop(S), as raw bytes, CHW (3 planes)
  NAME.s<S>.l     ... convert('L') of the RGB image, then Resize(S), CenterCrop(S), raw bytes
(and grey16.png.hi: the high bytes of that 16-bit greyscale PNG, which PIL clips instead)
and one line in manifest.tsv: name, width, height, PIL's mode, comma-separated sizes.

Resizing alone is checked on images the test can rebuild from a formula (pattern(w, h) below,
mirrored in ImageDecoderTest): pattern_<W>x<H>.s<S>.rgb is Resize+CenterCrop of that image, and
pattern.tsv lists them.
"""
import os
import subprocess
import sys

import numpy as np
from PIL import Image
import torchvision
from torchvision import transforms

ICC = '/usr/share/color/icc/ghostscript/'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   '..', 'resources', 'org', 'vqvae', 'core', 'data', 'images')


def square(img, size):
    """What ImageFolder + Resize(size) + CenterCrop(size) train on, as CHW bytes."""
    out = transforms.CenterCrop(size)(transforms.Resize(size)(img))
    assert out.size == (size, size), out.size
    arr = np.asarray(out, dtype=np.uint8)
    if arr.ndim == 2:
        return arr.tobytes()
    return np.ascontiguousarray(arr.transpose(2, 0, 1)).tobytes()


def expect(name, sizes, manifest):
    path = os.path.join(OUT, name)
    with open(path, 'rb') as f:
        img = Image.open(f)
        mode = img.mode
        rgb = img.convert('RGB')
    with open(path + '.rgb', 'wb') as f:
        f.write(np.asarray(rgb, dtype=np.uint8).tobytes())
    for s in sizes:
        with open(path + '.s%d.rgb' % s, 'wb') as f:
            f.write(square(rgb, s))
        with open(path + '.s%d.l' % s, 'wb') as f:
            f.write(square(rgb.convert('L'), s))
    manifest.append('%s\t%d\t%d\t%s\t%s' % (name, rgb.width, rgb.height, mode,
                                           ','.join(str(s) for s in sizes)))


def photo(w, h, seed):
    """A natural-looking crop: a skimage sample photo scaled down, or a noisy gradient."""
    try:
        from skimage import data
        src = [data.astronaut, data.chelsea, data.coffee][seed % 3]()
        img = Image.fromarray(src).convert('RGB')
        left, top = 40 * seed, 30 * seed
        return img.crop((left, top, left + 4 * w, top + 4 * h)).resize((w, h), Image.LANCZOS)
    except ImportError:
        rng = np.random.default_rng(seed)
        y, x = np.mgrid[0:h, 0:w]
        base = np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1),
                         (x + y) * 127 // max(w + h - 2, 1)], axis=2)
        noisy = base + rng.integers(-20, 21, size=base.shape)
        return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), 'RGB')


def pattern(w, h):
    """Deterministic RGB test image, rebuilt bit for bit by ImageDecoderTest.pattern."""
    y, x = np.mgrid[0:h, 0:w].astype(np.int64)
    planes = [(x * x * 3 + y * 5 + c * 77 + x * y + (x ^ y) * 11) % 256 for c in range(3)]
    return Image.fromarray(np.stack(planes, axis=2).astype(np.uint8), 'RGB')


def main():
    os.makedirs(OUT, exist_ok=True)
    print('Pillow', Image.__version__, 'torchvision', torchvision.__version__, file=sys.stderr)
    manifest = []
    p = os.path.join

    rgb = photo(64, 48, 0)
    rgb.save(p(OUT, 'rgb420.jpg'), quality=90)  # libjpeg's default 4:2:0 chroma subsampling
    expect('rgb420.jpg', [16, 24], manifest)
    photo(40, 30, 1).save(p(OUT, 'rgb444.jpg'), quality=90, subsampling=0)
    expect('rgb444.jpg', [16], manifest)
    photo(37, 23, 2).save(p(OUT, 'rgb422.jpg'), quality=85, subsampling=1)
    expect('rgb422.jpg', [16], manifest)
    # 4:4:0 and 4:1:1 chroma, which PIL cannot write: libjpeg-turbo upsamples 4:4:0 smoothly
    # where the JDK's libjpeg 6b replicates rows
    photo(40, 30, 0).save(p(OUT, 'rgb8.tmp.png'))
    for name, factors in [('rgb440.jpg', '1x2'), ('rgb411.jpg', '4x1')]:
        subprocess.run(['convert', p(OUT, 'rgb8.tmp.png'), '-sampling-factor', factors, '-quality', '90',
                        p(OUT, name)], check=True)
        expect(name, [16], manifest)
    os.remove(p(OUT, 'rgb8.tmp.png'))
    photo(40, 30, 2).convert('L').save(p(OUT, 'grey.jpg'), quality=90)
    expect('grey.jpg', [16], manifest)
    photo(48, 64, 1).save(p(OUT, 'progressive.jpg'), quality=90, progressive=True)
    expect('progressive.jpg', [16], manifest)

    # CMYK with a real black plate (PIL's own RGB->CMYK leaves K at 0); PIL writes it inverted,
    # with Adobe's APP14 marker, as Photoshop does.
    src = np.asarray(photo(40, 30, 0), dtype=np.int32)
    k = 255 - src.max(axis=2)
    cmy = 255 - src - k[..., None]
    cmyk = np.dstack([cmy, k]).clip(0, 255).astype(np.uint8)
    Image.fromarray(cmyk, 'CMYK').save(p(OUT, 'cmyk.jpg'), quality=92)
    expect('cmyk.jpg', [16], manifest)
    # YCCK: the same CMYK re-encoded by ImageMagick with libjpeg's colour space 5 (JCS_YCCK)
    subprocess.run(['convert', p(OUT, 'cmyk.jpg'), '-define', 'jpeg:colorspace=5',
                    '-quality', '92', p(OUT, 'ycck.jpg')], check=True)
    expect('ycck.jpg', [16], manifest)

    # Embedded ICC profiles, which PIL ignores (and TwelveMonkeys would apply if asked for RGB)
    with open(ICC + 'ps_cmyk.icc', 'rb') as f:
        Image.fromarray(cmyk, 'CMYK').save(p(OUT, 'cmyk_icc.jpg'), quality=92, icc_profile=f.read())
    expect('cmyk_icc.jpg', [16], manifest)
    with open(ICC + 'a98.icc', 'rb') as f:
        photo(40, 30, 1).save(p(OUT, 'rgb_icc.jpg'), quality=90, icc_profile=f.read())
    expect('rgb_icc.jpg', [16], manifest)
    # Samples stored as RGB, not YCbCr (Adobe marker with transform 0, no JFIF)
    photo(40, 30, 2).save(p(OUT, 'rgb8.tmp.ppm'))
    subprocess.run(['cjpeg', '-rgb', '-quality', '90', '-outfile', p(OUT, 'rgb_coded.jpg'),
                    p(OUT, 'rgb8.tmp.ppm')], check=True)
    os.remove(p(OUT, 'rgb8.tmp.ppm'))
    expect('rgb_coded.jpg', [16], manifest)
    # Adam7-interlaced PNG
    photo(40, 30, 2).save(p(OUT, 'rgb8.tmp.png'))
    subprocess.run(['convert', p(OUT, 'rgb8.tmp.png'), '-interlace', 'PNG', '-define',
                    'png:exclude-chunks=date,time', p(OUT, 'interlaced.png')], check=True)
    expect('interlaced.png', [16], manifest)
    os.remove(p(OUT, 'rgb8.tmp.png'))

    # A PNG with ImageNet's .JPEG extension: the format comes from the content
    photo(40, 30, 1).save(p(OUT, 'png_named.JPEG'), format='PNG')
    expect('png_named.JPEG', [16], manifest)
    photo(40, 30, 2).quantize(colors=50).save(p(OUT, 'palette.png'))
    expect('palette.png', [16], manifest)
    pal = photo(40, 30, 0).quantize(colors=16)
    pal.info['transparency'] = 3
    pal.save(p(OUT, 'palette_trns.png'), transparency=3)
    expect('palette_trns.png', [16], manifest)
    rgba = photo(40, 30, 1).convert('RGBA')
    alpha = np.fromfunction(lambda y, x: (x * 6 + y * 3) % 256, (30, 40)).astype(np.uint8)
    rgba.putalpha(Image.fromarray(alpha, 'L'))
    rgba.save(p(OUT, 'rgba.png'))
    expect('rgba.png', [16], manifest)
    la = photo(40, 30, 2).convert('LA')
    la.putalpha(Image.fromarray(alpha, 'L'))
    la.save(p(OUT, 'la.png'))
    expect('la.png', [16], manifest)
    photo(40, 30, 1).convert('1').save(p(OUT, 'grey1.png'))
    expect('grey1.png', [16], manifest)
    photo(40, 30, 0).quantize(colors=12).save(p(OUT, 'palette4.png'), bits=4)
    expect('palette4.png', [16], manifest)
    photo(40, 30, 0).convert('L').save(p(OUT, 'grey.png'))
    expect('grey.png', [16], manifest)
    # 16-bit greyscale: PIL opens it as mode I and clips to 255 on convert('RGB')
    g16 = (np.asarray(photo(40, 30, 1).convert('L'), dtype=np.uint32) * 257).astype(np.uint16)
    Image.fromarray(g16, 'I;16').save(p(OUT, 'grey16.png'))
    expect('grey16.png', [16], manifest)
    with open(p(OUT, 'grey16.png.hi'), 'wb') as f:  # the high bytes, which ImageDecoder keeps
        f.write((g16 >> 8).astype(np.uint8).tobytes())
    # 16-bit RGB: PIL keeps the high byte of every sample
    photo(40, 30, 2).save(p(OUT, 'rgb8.tmp.png'))
    subprocess.run(['convert', p(OUT, 'rgb8.tmp.png'), '-depth', '16', '-evaluate', 'add', '91',
                    '-define', 'png:exclude-chunks=date,time', p(OUT, 'rgb16.png')], check=True)
    os.remove(p(OUT, 'rgb8.tmp.png'))
    expect('rgb16.png', [16], manifest)

    # Odd aspect ratios and tiny images, decoded exactly (PNG), resized up and down
    for w, h, sizes in [(1, 1, [1, 5]), (1, 40, [8]), (40, 1, [8]), (17, 16, [16]),
                        (15, 16, [16]), (50, 33, [16]), (33, 50, [16]), (3, 2, [16])]:
        name = 'odd_%dx%d.png' % (w, h)
        photo(w, h, w + h).save(p(OUT, name))
        expect(name, sizes, manifest)

    with open(p(OUT, 'manifest.tsv'), 'w') as f:
        f.write('\n'.join(manifest) + '\n')

    rng = np.random.default_rng(7)
    shapes = [(1, 1, 16), (1, 300, 16), (300, 1, 16), (255, 256, 16), (257, 256, 16),
              (500, 333, 16), (333, 500, 16), (256, 257, 64), (5, 3, 16), (640, 480, 37)]
    shapes += [(int(rng.integers(1, 400)), int(rng.integers(1, 400)), int(rng.integers(1, 40)))
               for _ in range(10)]
    lines = []
    for w, h, s in shapes:
        name = 'pattern_%dx%d.s%d.rgb' % (w, h, s)
        with open(p(OUT, name), 'wb') as f:
            f.write(square(pattern(w, h), s))
        lines.append('%d\t%d\t%d' % (w, h, s))
    with open(p(OUT, 'pattern.tsv'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
