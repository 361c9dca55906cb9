#!/usr/bin/env python3
"""Helpers for build-guest.sh: extract the PVH vmlinux, pick modules, write the initramfs cpio."""

import argparse
import gzip
import lzma
import os
import shutil
import stat
import struct
import sys

XZ_MAGIC = b"\xfd7zXZ\x00"
XEN_ELFNOTE_PHYS32_ENTRY = 18


class GuestImgError(Exception):
    pass


# ---- vmlinux ---------------------------------------------------------------------------------


def bzimage_payload(data):
    """Return the compressed kernel inside an x86 bzImage, located by its boot-protocol header."""
    if data[0x202:0x206] != b"HdrS":
        raise GuestImgError("not an x86 bzImage (no HdrS boot header)")
    setup_sects = data[0x1F1] or 4
    payload_offset, payload_length = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + payload_offset
    payload = data[start:start + payload_length]
    if not payload.startswith(XZ_MAGIC):
        raise GuestImgError("the bzImage payload is not XZ-compressed (CONFIG_KERNEL_XZ); "
                            "extend guestimg.py for this kernel")
    return payload


def elf64_file_end(elf):
    """Return the offset just past the last byte the ELF headers refer to."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise GuestImgError("the decompressed kernel is not a little-endian ELF64 file")
    phoff, shoff = struct.unpack_from("<QQ", elf, 0x20)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", elf, 0x36)
    end = max(phoff + phnum * phentsize, shoff + shnum * shentsize)
    for i in range(phnum):
        p_offset, _, _, p_filesz = struct.unpack_from("<QQQQ", elf, phoff + i * phentsize + 8)
        end = max(end, p_offset + p_filesz)
    for i in range(shnum):
        sh_type, = struct.unpack_from("<I", elf, shoff + i * shentsize + 4)
        sh_offset, sh_size = struct.unpack_from("<QQ", elf, shoff + i * shentsize + 24)
        if sh_type != 8:  # SHT_NOBITS occupies no file space
            end = max(end, sh_offset + sh_size)
    return end


def elf64_has_pvh_note(elf):
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", elf,
                                                                 phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def cmd_vmlinux(args):
    with open(args.bzimage, "rb") as f:
        payload = bzimage_payload(f.read())
    elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    if not elf64_has_pvh_note(elf):
        raise GuestImgError("the kernel has no PVH entry note (CONFIG_PVH); "
                            "QEMU could not boot its vmlinux")
    # The x86 build appends the relocation table after the ELF (arch/x86/boot/compressed); QEMU's
    # ELF loader never reads it, so dropping it is what `strip` would do, without needing binutils.
    end = elf64_file_end(elf)
    with open(args.out, "wb") as f:
        f.write(memoryview(elf)[:end])
    print(f"vmlinux: {len(elf)} bytes decompressed, {end} kept "
          f"({len(elf) - end} bytes of relocations dropped)")


# ---- kernel modules --------------------------------------------------------------------------


def modname(path):
    return os.path.basename(path).split(".ko")[0].replace("-", "_")


def elf64_section(data, wanted):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def header(i):
        name, = struct.unpack_from("<I", data, shoff + i * shentsize)
        offset, size = struct.unpack_from("<QQ", data, shoff + i * shentsize + 24)
        return name, offset, size

    _, stroff, _ = header(shstrndx)
    for i in range(shnum):
        name, offset, size = header(i)
        if data[stroff + name:data.index(b"\0", stroff + name)] == wanted:
            return data[offset:offset + size]
    return b""


def module_depends(path):
    with open(path, "rb") as f:
        modinfo = elf64_section(f.read(), b".modinfo")
    for field in modinfo.split(b"\0"):
        if field.startswith(b"depends="):
            return [d for d in field[8:].decode().split(",") if d]
    return []


def cmd_modules(args):
    moddir = os.path.join(args.kroot, "lib", "modules", args.kver)
    if not os.path.isdir(moddir):
        raise GuestImgError(f"no module tree at {moddir}")
    with open(os.path.join(moddir, "modules.builtin")) as f:
        builtin = {modname(line.strip()) for line in f if line.strip()}
    available = {}
    for dirpath, _, files in os.walk(os.path.join(moddir, "kernel")):
        for name in files:
            if name.endswith(".ko"):
                available[modname(name)] = os.path.join(dirpath, name)

    order, seen = [], set()

    def add(name, wanted_by):
        if name in seen or name in builtin:
            return
        if name not in available:
            raise GuestImgError(f"module {name} (needed by {wanted_by}) is neither built in "
                                f"nor in {moddir}")
        seen.add(name)
        for dep in module_depends(available[name]):
            add(dep.replace("-", "_"), name)
        order.append(name)

    for name in args.names:
        add(name.replace("-", "_"), "the guest")
    dest = os.path.join(args.stage, "lib", "modules")
    os.makedirs(dest, exist_ok=True)
    with open(os.path.join(dest, "load-order"), "w") as f:
        for name in order:
            ko = os.path.basename(available[name])
            shutil.copyfile(available[name], os.path.join(dest, ko))
            f.write(ko + "\n")
    inbuilt = sorted(n.replace("-", "_") for n in args.names if n.replace("-", "_") in builtin)
    print(f"modules: load {' '.join(order) or '(none)'}; built in: {' '.join(inbuilt) or '(none)'}")


# ---- initramfs -------------------------------------------------------------------------------


def newc_entry(ino, name, mode, data=b"", nlink=1, rdev=(0, 0), mtime=0):
    fields = (ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0)
    head = b"070701" + b"".join(b"%08X" % v for v in fields) + name.encode() + b"\0"
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def parse_device(spec):
    """PATH:c|b:MAJOR:MINOR:OCTALMODE, e.g. dev/console:c:5:1:600."""
    path, kind, major, minor, perm = spec.split(":")
    fmt = {"c": stat.S_IFCHR, "b": stat.S_IFBLK}[kind]
    return path, fmt | int(perm, 8), (int(major), int(minor))


def cmd_cpio(args):
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    entries = {}  # path -> (mode, data, rdev); normalised so that the umask and owner do not matter
    for dirpath, dirs, files in os.walk(args.stage):
        for name in dirs + files:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, args.stage)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                entries[rel] = (stat.S_IFLNK | 0o777, os.readlink(full).encode(), (0, 0))
            elif stat.S_ISDIR(st.st_mode):
                perm = 0o1777 if st.st_mode & stat.S_ISVTX else 0o755
                entries[rel] = (stat.S_IFDIR | perm, b"", (0, 0))
            elif stat.S_ISREG(st.st_mode):
                perm = 0o755 if st.st_mode & stat.S_IXUSR else 0o644
                with open(full, "rb") as f:
                    entries[rel] = (stat.S_IFREG | perm, f.read(), (0, 0))
            else:
                raise GuestImgError(f"{full}: only files, directories and symlinks can be staged")
    for spec in args.device:
        path, mode, rdev = parse_device(spec)
        entries[path] = (mode, b"", rdev)
    out = bytearray()
    # Sorted paths put every directory before its contents, which the kernel's unpacker needs.
    for ino, path in enumerate(sorted(entries), start=1):
        mode, data, rdev = entries[path]
        nlink = 2 if stat.S_ISDIR(mode) else 1
        out += newc_entry(ino, path, mode, data, nlink, rdev, mtime)
    out += newc_entry(0, "TRAILER!!!", 0)
    with open(args.out, "wb") as f:
        f.write(gzip.compress(bytes(out), compresslevel=9, mtime=0))
    print(f"initramfs: {len(entries)} entries, {len(out)} bytes of cpio")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("vmlinux", help="extract the uncompressed PVH vmlinux from an x86 bzImage")
    p.add_argument("bzimage")
    p.add_argument("out")
    p.set_defaults(func=cmd_vmlinux)
    p = sub.add_parser("modules",
                       help="copy modules and their dependencies, write lib/modules/load-order")
    p.add_argument("kroot", help="the unpacked linux-image package")
    p.add_argument("kver")
    p.add_argument("stage", help="the initramfs staging directory")
    p.add_argument("names", nargs="+")
    p.set_defaults(func=cmd_modules)
    p = sub.add_parser("cpio",
                       help="write a reproducible gzipped newc cpio of a directory, as root:root")
    p.add_argument("--device", action="append", default=[], metavar="PATH:c|b:MAJ:MIN:MODE")
    p.add_argument("stage")
    p.add_argument("out")
    p.set_defaults(func=cmd_cpio)
    args = parser.parse_args()
    try:
        args.func(args)
    except (GuestImgError, OSError, lzma.LZMAError, struct.error) as e:
        sys.exit(f"guestimg.py {args.cmd}: error: {e}")


if __name__ == "__main__":
    main()
