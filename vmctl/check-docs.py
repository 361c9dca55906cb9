#!/usr/bin/env python3
"""check-docs.py: vmctl's man page and bash completion cover exactly the commands and options of
its command table, as `vmctl --help` and `vmctl CMD --help` print them.

usage: check-docs.py VMCTL vmctl.1 vmctl.bash-completion
"""
import os
import re
import shutil
import subprocess
import sys

COMPLETION_FILE = "/usr/share/bash-completion/bash_completion"


def run(*argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        sys.exit(f"check-docs: {' '.join(argv)} exited {p.returncode}: {p.stderr}")
    return p.stdout


def block(text, title):
    """The lines under 'Title:' up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def parse_help(text):
    """(synopsis, [commands], [options]) from a --help text."""
    lines = text.splitlines()
    usage = [lines[0]]
    for line in lines[1:]:
        if not line.startswith(" "):
            break
        usage.append(line)
    synopsis = " ".join(" ".join(usage).split())
    assert synopsis.startswith("usage: "), synopsis
    commands = [l.split()[0] for l in block(text, "Commands:")] if "Commands:" in lines else []
    options = [re.match(r"\s+(--[a-z-]+)", l).group(1) for l in block(text, "Options:")]
    return synopsis[len("usage: "):], commands, options


def deroff(text):
    text = re.sub(r"\\f[BIRP]", "", text)
    for roff, plain in (("\\-", "-"), ("\\(aq", "'"), ("\\(dq", '"'), ("\\e", "\\")):
        text = text.replace(roff, plain)
    return text


def man_sections(man, macro):
    """{title: body} for each .SH or .SS section of the page."""
    out, title = {}, None
    for line in man.splitlines():
        m = re.match(r"\.(SH|SS) +\"?([^\"]*)\"?$", line)
        if m:
            title = m.group(2) if m.group(1) == macro else (None if macro == "SS" else title)
            if title is not None:
                out.setdefault(title, [])
            continue
        if title is not None:
            out[title].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def man_synopsis(body):
    m = re.search(r"^\.nf\n(.*?)\n\.fi$", body, re.S | re.M)
    return " ".join(deroff(m.group(1)).split()) if m else None


def has_option(text, opt):
    return re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", text) is not None


def check_man(man, table, global_opts, problems):
    subs = man_sections(man, "SS")
    mains = man_sections(man, "SH")
    for extra in sorted(set(subs) - set(table)):
        problems.append(f"vmctl.1 documents '{extra}', which is not a command")
    for cmd, (synopsis, opts) in table.items():
        body = subs.get(cmd)
        if body is None:
            problems.append(f"vmctl.1 has no '.SS {cmd}' section")
            continue
        if man_synopsis(body) != synopsis:
            problems.append(f"vmctl.1 synopsis of {cmd}: {man_synopsis(body)!r} != {synopsis!r}")
        for opt in opts:
            if opt not in ("--json", "--help") and not has_option(deroff(body), opt):
                problems.append(f"vmctl.1 section {cmd} does not describe {opt}")
    for opt in global_opts:
        if not has_option(deroff(mains.get("OPTIONS", "")), opt):
            problems.append(f"vmctl.1 OPTIONS does not describe {opt}")
    for section in ("ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "FILES"):
        if section not in mains:
            problems.append(f"vmctl.1 has no {section} section")
    if "SEKVM_SOCKET" not in mains.get("ENVIRONMENT", ""):
        problems.append("vmctl.1 ENVIRONMENT does not name SEKVM_SOCKET")


def completion_words(comp, name):
    m = re.search(rf'^{name}="([^"]*)"', comp, re.M)
    return m.group(1).split() if m else []


def check_completion(comp, table, global_opts, problems):
    if sorted(completion_words(comp, "_vmctl_commands")) != sorted(table):
        problems.append(f"completion's _vmctl_commands != {sorted(table)}")
    if sorted(completion_words(comp, "_vmctl_global_opts")) != sorted(global_opts):
        problems.append(f"completion's _vmctl_global_opts != {sorted(global_opts)}")
    for cmd, (_, opts) in table.items():
        m = re.search(rf'^\s*{cmd}\) echo "([^"]*)"', comp, re.M)
        words = (m.group(1).split() if m else []) + ["--json", "--help"]
        if sorted(words) != sorted(opts):
            problems.append(f"completion's options of {cmd} {sorted(words)} != {sorted(opts)}")


def complete(comp_path, line):
    """What bash offers for the command line `line` (the cursor at its end)."""
    script = f"""
source {COMPLETION_FILE}
source {comp_path}
COMP_LINE={line!r}
COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
_vmctl
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    return sorted(run("bash", "-c", script).split())


def check_completion_runs(comp_path, problems):
    if not shutil.which("bash"):
        return print("check-docs: no bash; completion not checked")
    run("bash", "-n", comp_path)
    if not os.path.exists(COMPLETION_FILE):
        return print(f"check-docs: no {COMPLETION_FILE}; completion not run")
    cases = [("vmctl cre", ["create"]), ("vmctl create x --acc", ["--accel"]),
             ("vmctl create x --accel ", ["auto", "kvm", "tcg"]), ("vmctl --so", ["--socket"]),
             ("vmctl reboot x --", ["--help", "--json", "--reset"])]
    for line, want in cases:
        got = complete(comp_path, line)
        if got != want:
            problems.append(f"completing {line!r} gave {got}, not {want}")


def check_roff(man_path, problems):
    if not shutil.which("groff"):
        return print("check-docs: no groff; roff warnings not checked")
    p = subprocess.run(["groff", "-man", "-ww", "-z", man_path], capture_output=True, text=True)
    if p.returncode or p.stderr:
        problems.append(f"groff warns about vmctl.1: {p.stderr.strip()}")


def main():
    vmctl, man_path, comp_path = sys.argv[1:4]
    _, commands, global_opts = parse_help(run(vmctl, "--help"))
    if not commands:
        sys.exit("check-docs: `vmctl --help` lists no commands")
    table = {}
    for cmd in commands:
        synopsis, _, opts = parse_help(run(vmctl, cmd, "--help"))
        table[cmd] = (synopsis, opts)
    problems = []
    with open(man_path, encoding="utf-8") as f:
        check_man(f.read(), table, global_opts, problems)
    with open(comp_path, encoding="utf-8") as f:
        check_completion(f.read(), table, global_opts, problems)
    check_completion_runs(comp_path, problems)
    check_roff(man_path, problems)
    for p in problems:
        print(f"check-docs: {p}")
    print(f"check-docs: {len(table)} commands, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
