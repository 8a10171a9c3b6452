"""Lists the symbols a shared library needs that a libtorch folder does not define: why DJL's JNI
library (built against one libtorch) fails on another. No nm needed: reads the ELF dynamic symbol
table itself and looks each undefined strong symbol up after loading libtorch with RTLD_GLOBAL.

    python3 missing_symbols.py libdjl_torch.so /path/to/torch/lib
"""
import ctypes, os, struct, sys


def undefined_symbols(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise SystemExit(f"{path}: not a 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    for sec in sections:
        if sec[1] != 11:  # SHT_DYNSYM
            continue
        strtab = sections[sec[6]]
        names = data[strtab[4]:strtab[4] + strtab[5]]
        for off in range(sec[4], sec[4] + sec[5], sec[9]):
            name, info, _, shndx, _, _ = struct.unpack_from("<IBBHQQ", data, off)
            if shndx == 0 and name and info >> 4 == 1:  # undefined, global binding (not weak)
                yield names[name:names.index(b"\0", name)].decode()


def main():
    lib, torch_dir = sys.argv[1], sys.argv[2]
    for name in ("libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"):
        p = os.path.join(torch_dir, name)
        if os.path.exists(p):
            ctypes.CDLL(p, mode=ctypes.RTLD_GLOBAL)
    everything = ctypes.CDLL(None)
    missing = []
    for sym in undefined_symbols(lib):
        try:
            everything[sym]
        except AttributeError:
            missing.append(sym)
    print(f"{len(missing)} symbols of {os.path.basename(lib)} undefined with {torch_dir}:")
    for sym in missing:
        print("  " + sym)


if __name__ == "__main__":
    main()
