#!/usr/bin/env python3
"""test-sign.py: kcore-sign end to end against kcore on the model machine.

keygen -> sign -> kcore (booted with the key as `pubkey-c` prints it) accepts the image and the VM
runs it; one flipped byte in the image or the signature, a truncated or extended image, or another
key -> kcore refuses with KC_EBADMSG; `kcore-sign verify` agrees with kcore every time. Also: exit
statuses (usage errors are 2), keygen never overwrites without --force, key file modes, error
messages name the file and the cause, and the man page synopses match `CMD --help`.

usage: test-sign.py KCORE_SIGN KCORE_IMAGE_RUN kcore-sign.1
"""
import os
import re
import stat
import subprocess
import sys
import tempfile

PAGE = 4096
PAD = 0xA5  # image-run fills the rest of the last page with this: kcore must not hash it

failures = []


def check(cond, what):
    print(("ok - " if cond else "FAIL - ") + what)
    if not cond:
        failures.append(what)


def run(*argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


class Env:
    def __init__(self, sign, image_run, tmp):
        self.sign, self.image_run, self.tmp = sign, image_run, tmp

    def path(self, name):
        return os.path.join(self.tmp, name)

    def ks(self, *args):
        return run(self.sign, *args)

    def pubkey_hex(self, pub):
        """The 32 bytes of `pubkey-c` output, as hex: what the boot chain would hand kcore."""
        rc, out, err = self.ks("pubkey-c", "--public", pub)
        assert rc == 0, err
        body = out[out.index("{"):out.rindex("}") + 1]
        octets = re.findall(r"0x([0-9a-f]{2}),", body)
        assert len(octets) == 32 and re.fullmatch(r"\{(\s*0x[0-9a-f]{2},)+\s*\}", body), out
        return "".join(octets)

    def kcore(self, pub, image, sig):
        """What kcore answers: (verify code, [run lines])."""
        rc, out, err = run(self.image_run, self.pubkey_hex(pub), image, sig)
        assert rc == 0, f"image-run exited {rc}: {err}"
        lines = out.splitlines()
        return lines[0].split()[1], lines[1:]

    def verify(self, pub, image, sig):
        return self.ks("verify", "--public", pub, image, sig)

    def write(self, name, data, mode=0o644):
        with open(self.path(name), "wb") as f:
            f.write(data)
        os.chmod(self.path(name), mode)
        return self.path(name)


def image_bytes(n, seed):
    out, x = bytearray(), seed * 0x9E3779B97F4A7C15 & (2**64 - 1) | 1
    while len(out) < n:
        x ^= (x << 13) & (2**64 - 1)
        x ^= x >> 7
        x ^= (x << 17) & (2**64 - 1)
        out += x.to_bytes(8, "little")
    return bytes(out[:n])


def expected_run(data):
    """The guest echoes its image's first and last 8-byte words (padded like image-run) to MMIO."""
    padded = data + bytes([PAD]) * (-len(data) % PAGE or PAGE)
    last = (len(data) - 1) & ~7
    words = [int.from_bytes(padded[o:o + 8], "little") for o in (0, last)]
    return [f"run KC_EXIT_MMIO ipa=0x9000000 data=0x{words[0]:016x}",
            f"run KC_EXIT_MMIO ipa=0x9000008 data=0x{words[1]:016x}", "run KC_EXIT_IRQ"]


def test_keygen(e):
    rc, out, err = e.ks("keygen", "--secret", e.path("a.sec"), "--public", e.path("a.pub"))
    check(rc == 0 and out == "" and err == "", "keygen makes a key pair quietly")
    check(stat.S_IMODE(os.stat(e.path("a.sec")).st_mode) == 0o600, "the secret key is mode 0600")
    pub = open(e.path("a.pub")).read()
    check(re.fullmatch(r"kcore-ed25519-public-v1 [0-9a-f]{64}\n", pub) is not None,
          "the public key file is one tagged line")
    sec = open(e.path("a.sec")).read()
    check(re.fullmatch(r"kcore-ed25519-secret-v1 [0-9a-f]{128}\n", sec) is not None
          and sec.split()[1][64:] == pub.split()[1], "the secret key file is seed || public key")
    check(not [f for f in os.listdir(e.tmp) if ".tmp-" in f], "no temporary file is left")

    rc, _, err = e.ks("keygen", "--secret", e.path("a.sec"), "--public", e.path("a.pub"))
    check(rc == 1 and f"{e.path('a.sec')}: already exists" in err and "--force" in err,
          f"keygen refuses to overwrite (exit 1, names the file): {err.strip()}")
    check(open(e.path("a.sec")).read() == sec and open(e.path("a.pub")).read() == pub,
          "both files are unchanged after the refusal")
    rc, _, err = e.ks("keygen", "--secret", e.path("new.sec"), "--public", e.path("a.pub"))
    check(rc == 1 and f"{e.path('a.pub')}: already exists" in err
          and not os.path.exists(e.path("new.sec")),
          "an existing public key alone stops keygen before it writes the secret")
    rc, _, _ = e.ks("keygen", "--force", "--secret", e.path("f.sec"), "--public", e.path("f.pub"))
    rc2, _, _ = e.ks("keygen", "--force", "--secret", e.path("f.sec"), "--public", e.path("f.pub"))
    check(rc == 0 and rc2 == 0 and stat.S_IMODE(os.stat(e.path("f.sec")).st_mode) == 0o600,
          "--force replaces a key pair, the secret still 0600")
    e.ks("keygen", "--secret", e.path("b.sec"), "--public", e.path("b.pub"))
    check(open(e.path("b.pub")).read() != pub, "two keygens give two keys")


def test_sign_and_run(e):
    for size in (1, 7, 4096, 3 * PAGE - 100, 5 * PAGE + 1):
        img = e.write(f"img{size}", image_bytes(size, size))
        rc, out, err = e.ks("sign", "--secret", e.path("a.sec"), img)
        sig = img + ".sig"
        check(rc == 0 and out == "" and os.path.getsize(sig) == 64,
              f"sign writes a 64-byte IMAGE.sig ({size} bytes)")
        code, runs = e.kcore(e.path("a.pub"), img, sig)
        check(code == "KC_OK", f"kcore accepts the image ({size} bytes): {code}")
        check(runs == expected_run(open(img, "rb").read()),
              f"the VM runs from the signed image ({size} bytes): {runs}")
        rc, out, _ = e.verify(e.path("a.pub"), img, sig)
        check(rc == 0 and out.startswith(f"{img}: good signature"), "kcore-sign verify agrees")
    rc, _, _ = e.ks("sign", "--secret", e.path("a.sec"), "-o", e.path("other.sig"), e.path("img1"))
    check(rc == 0 and open(e.path("other.sig"), "rb").read() == open(e.path("img1.sig"), "rb").read(),
          "-o writes the same (deterministic) signature elsewhere")


def refused(e, what, pub, img, sig):
    code, runs = e.kcore(pub, img, sig)
    check(code == "KC_EBADMSG" and runs == ["run KC_EPERM"],
          f"kcore refuses {what}: verify {code}, {runs}")
    rc, _, err = e.verify(pub, img, sig)
    check(rc == 1 and "does not verify" in err and "KC_EBADMSG" in err,
          f"kcore-sign verify agrees on {what} (exit {rc})")


def test_refusals(e):
    data = open(e.path(f"img{3 * PAGE - 100}"), "rb").read()
    sig = open(e.path(f"img{3 * PAGE - 100}.sig"), "rb").read()
    good_sig = e.write("good.sig", sig)
    for off in (0, PAGE - 1, PAGE, len(data) // 2, len(data) - 1):
        bad = bytearray(data)
        bad[off] ^= 0x01
        refused(e, f"a flipped bit at image byte {off}", e.path("a.pub"),
                e.write(f"flip{off}", bytes(bad)), good_sig)
    img = e.write("img", data)
    refused(e, "the image one byte shorter", e.path("a.pub"), e.write("short", data[:-1]), good_sig)
    refused(e, "the image with one byte appended", e.path("a.pub"),
            e.write("long", data + bytes([PAD])), good_sig)
    for off in (0, 31, 32, 63):
        bad = bytearray(sig)
        bad[off] ^= 0x80
        refused(e, f"a flipped bit in signature byte {off}", e.path("a.pub"), img,
                e.write(f"sig{off}", bytes(bad)))
    rc, _, _ = e.ks("sign", "--secret", e.path("b.sec"), "-o", e.path("b.sig"), img)
    check(rc == 0, "sign with key b")
    refused(e, "a signature by another key", e.path("a.pub"), img, e.path("b.sig"))
    refused(e, "the right signature under another key", e.path("b.pub"), img, good_sig)
    code, _ = e.kcore(e.path("b.pub"), img, e.path("b.sig"))
    check(code == "KC_OK" and e.verify(e.path("b.pub"), img, e.path("b.sig"))[0] == 0,
          "key b's signature is good under key b, for kcore and kcore-sign verify")


def test_errors(e):
    a_sec, a_pub, img = e.path("a.sec"), e.path("a.pub"), e.path("img")
    usage = [
        [], ["bogus"], ["--bogus"], ["sign"], ["sign", img], ["sign", "--secret", a_sec],
        ["sign", "--secret", a_sec, img, img], ["sign", "--secret", a_sec, "--force", img],
        ["sign", "--secret", a_sec, "--secret", a_sec, img], ["sign", "--secret"],
        ["sign", "--secret", "", img], ["sign", "--secret", a_sec, "-o", a_sec, img],
        ["sign", "--secret", a_sec, "-o", img, img],
        ["verify", "--public", a_pub, img], ["verify", img, img + ".sig"], ["keygen"],
        ["keygen", "--secret", e.path("x")], ["keygen", "--secret", e.path("x"), "--public",
                                              e.path("x")],
        ["keygen", "--secret", e.path("x"), "--public", e.path("y"), "extra"],
        ["pubkey-c"], ["pubkey-c", "--public", a_pub, "--name", "1bad"], ["pubkey-c", "-x"],
    ]
    for argv in usage:
        rc, out, err = e.ks(*argv)
        check(rc == 2 and out == "" and "usage: kcore-sign" in err,
              f"usage error exits 2: {' '.join(argv) or '(no arguments)'}: {err.splitlines()[0]}")
    check(not os.path.exists(e.path("x")) and not os.path.exists(e.path("y")),
          "a usage error writes nothing")
    check(open(a_sec).read().startswith("kcore-ed25519-secret-v1"), "-o onto the secret key refused")

    junk = e.write("junk.pub", b"hello\n")
    empty = e.write("empty", b"")
    errors = [
        (["sign", "--secret", e.path("nope.sec"), img], "nope.sec: No such file or directory"),
        (["sign", "--secret", a_pub, img], "a.pub: this is a public key; a secret key is needed"),
        (["sign", "--secret", a_sec, e.path("nope")], "nope: No such file or directory"),
        (["sign", "--secret", a_sec, empty], "empty: empty; kcore refuses an empty image"),
        (["sign", "--secret", a_sec, e.tmp], f"{e.tmp}: Is a directory"),
        (["sign", "--secret", a_sec, "-o", e.path("nodir/x.sig"), img],
         "nodir/x.sig: cannot write: No such file or directory"),
        (["verify", "--public", a_sec, img, e.path("good.sig")],
         "a.sec: this is a secret key; a public key is needed"),
        (["verify", "--public", junk, img, e.path("good.sig")], "junk.pub: not a kcore public key"),
        (["verify", "--public", a_pub, img, a_pub], "a.pub: more than 64 bytes"),
        (["verify", "--public", a_pub, img, e.write("short.sig", b"x" * 63)],
         "short.sig: 63 bytes; a kcore image signature is exactly 64"),
        (["pubkey-c", "--public", e.path("nope.pub")], "nope.pub: No such file or directory"),
        (["keygen", "--secret", e.path("nodir/k.sec"), "--public", e.path("k.pub")],
         "nodir/k.sec: cannot write: No such file or directory"),
    ]
    for argv, msg in errors:
        rc, _, err = e.ks(*argv)
        check(rc == 1 and msg in err and err.count("\n") == 1,
              f"exit 1 with one line naming the file and cause: {err.strip()}")
    check(not os.path.exists(e.path("k.pub")), "a failed keygen leaves no public key behind")
    bad = bytearray(open(a_sec).read(), "ascii")
    bad[-3] = ord("0") if bad[-3] != ord("0") else ord("1")
    rc, _, err = e.ks("sign", "--secret", e.write("bad.sec", bytes(bad), 0o600), img)
    check(rc == 1 and "bad.sec: damaged" in err, f"a secret key whose halves disagree: {err.strip()}")


def synopsis_of_help(text):
    return " ".join(text.splitlines()[0].split()[1:])


def test_help_and_man(e, man_path):
    man = open(man_path).read()
    man_syn = [" ".join(re.sub(r"\\f[BIRP]|\\", "", m).split())
               for m in re.findall(r"^\.nf\n(.*?)\n\.fi$", man, re.S | re.M)]
    rc, out, _ = e.ks("--help")
    commands = re.findall(r"^  (\S+)\s", out, re.M)
    check(rc == 0 and commands == ["keygen", "sign", "verify", "pubkey-c"], "--help lists commands")
    for cmd in commands:
        for flag in ("--help", "-h"):
            rc, out, err = e.ks(cmd, flag)
            check(rc == 0 and out.startswith(f"usage: kcore-sign {cmd} ") and err == "",
                  f"{cmd} {flag} prints its usage and exits 0")
        syn = synopsis_of_help(e.ks(cmd, "--help")[1])
        check(syn in man_syn, f"the man page synopsis has '{syn}'")
        check(f".SS {cmd}" in man or f'.SS "{cmd}' in man, f"the man page describes {cmd}")
    rc, out, _ = e.ks("--version")
    check(rc == 0 and re.fullmatch(r"kcore-sign \S+\n", out) is not None, "--version")


def main():
    sign, image_run, man = sys.argv[1:4]
    with tempfile.TemporaryDirectory(prefix="kcore-sign-test.") as tmp:
        e = Env(sign, image_run, tmp)
        test_keygen(e)
        test_sign_and_run(e)
        test_refusals(e)
        test_errors(e)
        test_help_and_man(e, man)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
