#!/usr/bin/env python3
"""Run every kcore test group against a mutant build: succeed only if some group fails (the mutant is caught).

usage: mutant-run.py KCORE_TEST_EXE GROUP...
"""
import subprocess
import sys


def main():
    exe, groups = sys.argv[1], sys.argv[2:]
    for group in groups:
        proc = subprocess.run([exe, group], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            why = (proc.stderr.strip().splitlines() or ['(no message)'])[0]
            print(f'caught by group {group} (exit {proc.returncode}): {why}')
            return 0
    print('NOT caught: every test group passed with this mutant')
    return 1


if __name__ == '__main__':
    sys.exit(main())
