#!/usr/bin/env python3
"""Show that kcore/core builds and links with no C library.

usage: check-freestanding.py CC OUTDIR --inc DIR... --src FILE... [--glue FILE...] [--obj FILE...]
                             --allow PREFIX...

Compiles every --src as freestanding C11 with -nostdinc (only the compiler's own
freestanding headers); --glue files (the libsodium adapter, whose headers pull in
<stdlib.h> for declarations) are compiled freestanding but with the system
headers. Then it links everything with -nostdlib into one relocatable
object, and fails if any symbol is left undefined except those that start with
an allowed prefix (the hardware seam, arch_*).
"""
import os
import subprocess
import sys


def split_args(argv):
    lists, key = {'--inc': [], '--src': [], '--glue': [], '--obj': [], '--allow': []}, None
    for a in argv:
        if a in lists:
            key = a
        else:
            lists[key].append(a)
    return lists


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        print(' '.join(cmd))
        print(proc.stdout)
        sys.exit(1)
    return proc.stdout


def main():
    cc, outdir = sys.argv[1], sys.argv[2]
    lists = split_args(sys.argv[3:])
    os.makedirs(outdir, exist_ok=True)
    builtin_inc = run([cc, '-print-file-name=include']).strip()
    flags = ['-std=c11', '-ffreestanding', '-fno-builtin', '-nostdinc', '-isystem', builtin_inc,
             '-O2', '-Wall', '-Wextra', '-Werror', '-fno-stack-protector']
    if 'gcc' in os.path.basename(cc):
        flags.append('-fno-tree-loop-distribute-patterns')  # or memset() would call itself
    flags += ['-I' + d for d in lists['--inc']]
    objs = []
    for src in lists['--src']:
        obj = os.path.join(outdir, os.path.basename(src) + '.o')
        run([cc] + flags + ['-c', src, '-o', obj])
        objs.append(obj)
    for src in lists['--glue']:
        obj = os.path.join(outdir, os.path.basename(src) + '.o')
        run([cc] + [f for f in flags if f not in ('-nostdinc', '-isystem', builtin_inc)] + ['-c', src, '-o', obj])
        objs.append(obj)
    linked = os.path.join(outdir, 'kcore-freestanding.o')
    run([cc, '-nostdlib', '-static', '-Wl,-r', '-o', linked] + objs + lists['--obj'])
    nm = os.environ.get('NM', 'nm')
    if cc.endswith('-gcc'):
        nm = cc[:-3] + 'nm'
    undefined = sorted(set(run([nm, '-u', linked]).split()) - {'U', 'w'})
    bad = [s for s in undefined if not any(s.startswith(p) for p in lists['--allow'])]
    print(f'{cc}: {len(objs)} sources, {len(lists["--obj"])} library objects, '
          f'{len(undefined)} undefined symbols, all in the seam: {not bad}')
    if bad:
        print('undefined outside the seam: ' + ' '.join(bad))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
