#!/usr/bin/env python3
"""Cross-compile and link one freestanding arm64 image (kcore or an EL2 test payload).

usage: build-el2.py --cc CC --ld-script FILE --elf OUT.elf --bin OUT.bin --depfile OUT.d
                    [--cflags FLAG...] [--src FILE...] [--obj FILE...] [--lib FILE...]

Each --src is compiled with CC and the --cflags into OUT.elf.objs/, its header dependencies
collected into one depfile for ninja; then everything is linked with -nostdlib against the
linker script (--obj objects and --lib archives after the sources, then libgcc) and the ELF is
copied to a raw binary. Meson runs this as one custom_target per image, because the top-level
build is native and the cross compiler is not meson's.
"""
import os
import subprocess
import sys

KEYS = ('--cc', '--ld-script', '--elf', '--bin', '--depfile', '--cflags', '--src', '--obj', '--lib')


def parse(argv):
    lists = {k: [] for k in KEYS}
    key = None
    for a in argv:
        if a in lists:
            key = a
        elif key is None:
            sys.exit('build-el2.py: argument before any option: ' + a)
        else:
            lists[key].append(a)
    for k in ('--cc', '--ld-script', '--elf', '--bin', '--depfile'):
        if len(lists[k]) != 1:
            sys.exit('build-el2.py: need exactly one ' + k)
    return lists


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stderr.write(' '.join(cmd) + '\n' + proc.stdout)
        sys.exit(1)
    if proc.stdout:
        sys.stderr.write(proc.stdout)


def read_deps(path):
    # gcc -MD output: "obj: a b \\\n c"; the first token is the target.
    with open(path) as f:
        text = f.read().replace('\\\n', ' ')
    return text.split(':', 1)[1].split() if ':' in text else []


def main():
    a = parse(sys.argv[1:])
    cc, elf, binf = a['--cc'][0], a['--elf'][0], a['--bin'][0]
    objdir = elf + '.objs'
    os.makedirs(objdir, exist_ok=True)
    objs, deps = [], set()
    for i, src in enumerate(a['--src']):
        obj = os.path.join(objdir, '%02d-%s.o' % (i, os.path.basename(src)))
        run([cc] + a['--cflags'] + ['-MD', '-MF', obj + '.d', '-c', src, '-o', obj])
        deps.update(read_deps(obj + '.d'))
        objs.append(obj)
    ld_script = a['--ld-script'][0]
    deps.add(ld_script)
    run([cc, '-nostdlib', '-static', '-no-pie', '-Wl,--build-id=none', '-Wl,-T,' + ld_script,
         '-Wl,--no-undefined', '-Wl,--no-warn-rwx-segments', '-o', elf] + objs + a['--obj'] + a['--lib'] + ['-lgcc'])
    objcopy = cc[:-3] + 'objcopy' if cc.endswith('-gcc') else 'objcopy'
    run([objcopy, '-O', 'binary', elf, binf])
    with open(a['--depfile'][0], 'w') as f:
        f.write(elf + ': ' + ' '.join(sorted(d.replace(' ', '\\ ') for d in deps)) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
