#!/usr/bin/env python3
"""fuzz-seeds.py: writes the seed corpus of the hypercall fuzz target (tests/kcore/corpus/).

Each seed is a script in fuzz-hvc.c's record format (read its header comment): a few honest
host sessions that reach the states random bytes rarely do (a verified VM that runs, faults,
gets a page mapped, does MMIO and shares a page, then is torn down) plus misuse. The files are
kept in the tree; rerun this after changing the record format.

usage: fuzz-seeds.py [DIR]
"""
import os
import struct
import sys

HOST_CALLS = ["version", "features", "vm_create", "vm_destroy", "vcpu_create", "vm_set_boot",
              "vm_load_page", "vm_verify", "vm_map", "vcpu_run", "mmio_complete", "vm_reclaim"]
MOV, LDR, STR, HVC, YIELD = 1, 2, 3, 4, 5
RAM, MMIO, GCALL, CONST = 0, 1, 2, 3  # guest_op argument kinds
GC_SHARE, GC_UNSHARE = 1, 2


def V(n):  # a vmid or index 0..9
    return n << 2


def P(i):  # the page frame of RAM page i
    return i << 2 | 1


def I(k):  # the IPA of image page k
    return k << 2 | 2


def L(v):  # a literal; must be 3 mod 4
    assert v & 3 == 3, hex(v)
    return v


def rec(op, a1=0, a2=0, a3=0):
    return struct.pack("<4Q", op, a1, a2, a3)


def call(name, a1=0, a2=0, a3=0):
    return rec(HOST_CALLS.index(name) << 3, a1, a2, a3)


def raw(fn, a1=0, a2=0, a3=0):
    return rec(fn << 3 | 4, a1, a2, a3)


def verify(vm, flip=False):
    return rec(5 | (8 if flip else 0), V(vm))


def op(kind, reg=0, size=3, arg_kind=CONST, n=0):
    return (kind - 1) | reg << 8 | size << 16 | (arg_kind | n << 2) << 24


def prog(vm, vcpu, ops):
    ops = ops + [op(YIELD)] * (4 - len(ops))
    return rec(6, (vm - 1) | vcpu << 8, ops[0] | ops[1] << 32, ops[2] | ops[3] << 32)


def host(write, page, word=0, value=0):
    return rec(7 | (8 if write else 0), page, word, value)


def vm_with_image(vm, pages, first_page, size=None):
    size = size if size is not None else pages * 4096 - 1
    out = call("vm_create", V(8)) + call("vcpu_create", V(vm))
    out += call("vm_set_boot", V(vm), I(0), L(size))
    for i in range(pages):
        out += call("vm_load_page", V(vm), V(i), P(first_page + i))
    return out


def seed_lifecycle():
    s = host(True, P(100), 0, 0x1111) + vm_with_image(1, 2, 100, 8191) + verify(1)
    s += prog(1, 0, [op(LDR, 4, 3, RAM, 0), op(STR, 4, 3, MMIO, 0), op(LDR, 2, 3, RAM, 5),
                     op(STR, 4, 3, RAM, 5)])
    s += call("vcpu_run", V(1), V(0))  # MMIO write
    s += call("vcpu_run", V(1), V(0))  # stage-2 fault at image page 5
    s += call("vm_map", V(1), V(0), P(102))
    s += call("vcpu_run", V(1), V(0))  # the guest writes the new page
    s += prog(1, 0, [op(MOV, 0, 3, GCALL, GC_SHARE), op(MOV, 1, 3, RAM, 5), op(HVC),
                     op(LDR, 3, 2, MMIO, 1)])
    s += call("vcpu_run", V(1), V(0))  # share, then an MMIO read
    s += call("mmio_complete", V(1), V(0), L(0x1234567B))
    s += call("vcpu_run", V(1), V(0))
    s += host(False, P(102)) + host(True, P(102), 3, 0xABCD)  # the shared page
    s += prog(1, 0, [op(MOV, 0, 3, GCALL, GC_UNSHARE), op(MOV, 1, 3, RAM, 5), op(HVC),
                     op(STR, 4, 3, RAM, 0)])  # x4 survives guest calls
    s += call("vcpu_run", V(1), V(0)) + host(False, P(102))  # unshared: the host faults
    s += call("vm_destroy", V(1))
    for page in (100, 101, 102):
        s += call("vm_reclaim", V(1), P(page))
    return s + host(False, P(100)) + host(False, P(102))  # scrubbed


def seed_misuse():
    s = call("version") + call("features", L(0xC600010B)) + call("features", L(0xC6000203))
    for fn in (0xC6000110, 0x84000000, 0xC6000201, 1 << 32 | 0xC6000100, 0x86000100):
        s += raw(fn, V(1), V(2), V(3))
    s += call("vm_create", L(0xFFFFFFFFFFFFFFFF)) + call("vm_create", V(1))
    s += call("vm_destroy", V(9)) + call("vcpu_run", V(0), V(0))
    s += vm_with_image(1, 1, 200) + call("vm_load_page", V(1), V(0), P(201))
    s += call("vm_load_page", V(1), V(1), P(1000)) + call("vm_set_boot", V(1), I(63), L(4095))
    s += verify(1, flip=True) + call("vcpu_run", V(1), V(0)) + verify(1) + verify(1)
    s += call("vm_map", V(1), V(0), P(202)) + call("mmio_complete", V(1), V(0), L(3))
    s += call("vm_reclaim", V(1), P(200)) + call("vm_destroy", V(1))
    return s + call("vm_destroy", V(1)) + call("vm_reclaim", V(2), P(200))


def seed_host_access():
    s = b""
    for page in (P(0), P(300), P(767), P(768), P(1023), V(5), L(0xFFFFFFFFFFFFF003)):
        s += host(False, page, 7) + host(True, page, 511, 0x5EC2E7)
    return s


def seed_two_vms():
    s = vm_with_image(1, 1, 300) + vm_with_image(2, 1, 300) + call("vm_load_page", V(2), V(0), P(301))
    s += verify(1) + verify(2, flip=True) + verify(2)
    s += prog(1, 0, [op(LDR, 4, 3, RAM, 1)]) + prog(2, 0, [op(STR, 4, 0, RAM, 0), op(LDR, 5, 3, RAM, 1)])
    s += call("vcpu_run", V(1), V(0)) + call("vm_map", V(1), V(0), P(301))
    s += call("vm_map", V(1), V(0), P(302)) + call("vcpu_run", V(2), V(0))
    s += call("vcpu_run", V(2), V(0)) + call("vm_map", V(2), V(0), P(302))
    s += call("vm_destroy", V(1)) + call("vm_reclaim", V(2), P(300)) + call("vm_reclaim", V(1), P(302))
    return s + call("vm_reclaim", V(1), P(300)) + call("vm_create", V(2)) + call("vm_destroy", V(2))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, make in (("seed-lifecycle", seed_lifecycle), ("seed-misuse", seed_misuse),
                       ("seed-host-access", seed_host_access), ("seed-two-vms", seed_two_vms)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(make())


if __name__ == "__main__":
    main()
