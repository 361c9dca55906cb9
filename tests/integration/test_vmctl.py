#!/usr/bin/env python3
"""test_vmctl.py: vmctl's usage rules, its client side against a scripted peer, and vmctl against a
real hostd on a private socket. Every request vmctl sends to the scripted peer, every result the
peer gives and every result vmctl prints with --json is checked against
protocols/hostd-api.json (harness.py's Contract); unknown fields are errors.

    VMCTL=build/vmctl/vmctl HOSTD=build/hostd/hostd python3 tests/integration/test_vmctl.py

Without a HOSTD binary the tests against hostd fail; they do not skip.
"""
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import termios
import threading
import time
import unittest

from harness import BOOT_TIMEOUT, CONTRACT, GUEST_DIR, MARKER, ContractError, Hostd

VMCTL = os.environ.get("VMCTL", "")
RUN_TIMEOUT = 60  # seconds one vmctl run may take before the test fails
LINE_MAX = 1024 * 1024

COMMANDS = ["host", "create", "list", "info", "start", "shutdown", "stop", "reboot", "pause",
            "resume", "delete", "console", "autostart", "events"]
NAMED = [c for c in COMMANDS if c not in ("host", "list", "events")]
MAIN_USAGE = "usage: vmctl [--socket PATH] [--json] COMMAND [ARGS]...\n"
UUID_A = "0f5b3a3e-3c1e-4a47-9d2a-6f0e1b2c3d4e"
UUID_B = "8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def strict_json(text):
    """json.loads that rejects duplicate keys (CONVENTIONS rule 14)."""
    def pairs(items):
        keys = [k for k, _ in items]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise ValueError(f"duplicate keys {sorted(dup)}")
        return dict(items)
    return json.loads(text, object_pairs_hook=pairs)


def contract_problems(schema, value, where):
    try:
        CONTRACT.check(schema, value, where)
    except ContractError as e:
        return [str(e)]
    return []


def params_problems(method, params):
    """Strictly, unlike harness.Contract.check_request: vmctl never sends a bad request."""
    if method not in CONTRACT.methods:
        return [f"unknown method {method!r}"]
    if not isinstance(params, dict):
        return [f"{method}: params {params!r} is not an object"]
    spec = {p["name"]: p for p in CONTRACT.methods[method]["params"]}
    problems = [f"{method}: unknown param {k!r}" for k in params if k not in spec]
    problems += [f"{method}: missing param {n!r}" for n, p in spec.items()
                 if p.get("required") and n not in params]
    for name in set(params) & set(spec):
        problems += contract_problems(spec[name]["schema"], params[name], f"{method}.params.{name}")
    return problems


def result_problems(method, result):
    return contract_problems(CONTRACT.methods[method]["result"]["schema"], result,
                             f"{method}.result")


def read_until(p, needle, timeout=BOOT_TIMEOUT):
    """Reads p's stdout into p.seen until needle appears: select with a deadline, no sleep."""
    p.seen = getattr(p, "seen", b"")
    deadline = time.monotonic() + timeout
    while needle not in p.seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([p.stdout], [], [], left)[0]:
            raise AssertionError(f"{needle!r} not seen in {timeout} s; got {p.seen[-2000:]!r}")
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            raise AssertionError(f"vmctl's output ended before {needle!r}: {p.seen[-2000:]!r}")
        p.seen += chunk
    return p.seen


def reap(p):
    """Ends a vmctl that a test left running, and closes its pipes."""
    p.kill()
    for f in (p.stdin, p.stdout, p.stderr):
        if f:
            f.close()
    p.wait()


def vmctl_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "SEKVM_SOCKET"}
    env.update(extra)
    return env


def vmctl(*args, sock=None, input=None, env=None, cwd=None, text=True, stdin=None):
    """Runs vmctl and returns the CompletedProcess."""
    argv = [VMCTL] + (["--socket", sock] if sock else []) + list(args)
    if input is not None:
        kwargs = {"input": input}
    else:
        kwargs = {"stdin": subprocess.DEVNULL if stdin is None else stdin}
    return subprocess.run(argv, capture_output=True, text=text, timeout=RUN_TIMEOUT,
                          env=env or vmctl_env(), cwd=cwd, **kwargs)


class VmctlCase(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not VMCTL or not os.access(VMCTL, os.X_OK):
            raise AssertionError(f"VMCTL={VMCTL!r} is not an executable vmctl")

    def assertRun(self, p, rc, stdout=None, stderr=None):
        where = f"{p.args}: rc {p.returncode}\nstdout: {p.stdout!r}\nstderr: {p.stderr!r}"
        self.assertEqual(p.returncode, rc, where)
        if stdout is not None:
            self.assertEqual(p.stdout, stdout, where)
        if stderr is not None:
            self.assertEqual(p.stderr, stderr, where)

    def assertContract(self, method, result):
        self.assertEqual(result_problems(method, result), [], result)

    def json_of(self, p, method):
        """The --json output of a successful run, checked against the method's result schema."""
        self.assertRun(p, 0, stderr="")
        self.assertTrue(p.stdout.endswith("}\n") and "\n  " in p.stdout, "not pretty-printed")
        result = strict_json(p.stdout)
        self.assertContract(method, result)
        return result


# ---------------------------------------------------------------------------------------------
class Usage(VmctlCase):
    """What vmctl decides alone, before it talks to hostd."""

    def test_help_lists_the_command_table(self):
        p = vmctl("--help")
        self.assertRun(p, 0, stderr="")
        self.assertTrue(p.stdout.startswith(MAIN_USAGE), p.stdout)
        listed = re.findall(r"^  ([a-z]+) ", p.stdout.split("Commands:\n")[1].split("\n\n")[0],
                            re.M)
        self.assertEqual(listed, COMMANDS)

    def test_every_command_has_help(self):
        for cmd in COMMANDS:
            with self.subTest(cmd=cmd):
                p = vmctl(cmd, "--help")
                self.assertRun(p, 0, stderr="")
                synopsis = f"usage: vmctl {cmd}" + (" NAME" if cmd in NAMED else "")
                self.assertTrue(p.stdout.startswith(synopsis), p.stdout)
                self.assertIn("  --json ", p.stdout)
                self.assertRun(vmctl(cmd, "-h"), 0, stdout=p.stdout)

    def test_version(self):
        p = vmctl("--version")
        self.assertRun(p, 0, stderr="")
        self.assertRegex(p.stdout, r"^vmctl \d+\.\d+\.\d+\n$")

    def test_unknown_command(self):
        self.assertRun(vmctl("frobnicate"), 2, stdout="", stderr=(
            "vmctl: unknown command 'frobnicate'\n" + MAIN_USAGE +
            "Run 'vmctl --help' for the list of commands.\n"))

    def test_no_command(self):
        self.assertRun(vmctl(), 2, stdout="", stderr=(
            "vmctl: missing COMMAND\n" + MAIN_USAGE +
            "Run 'vmctl --help' for the list of commands.\n"))

    def test_missing_name(self):
        for cmd in NAMED:
            with self.subTest(cmd=cmd):
                p = vmctl(cmd)
                self.assertRun(p, 2, stdout="")
                self.assertTrue(p.stderr.startswith(
                    f"vmctl {cmd}: missing NAME\nusage: vmctl {cmd} NAME"), p.stderr)

    def test_bad_memory_value(self):
        for bad in ("lots", "-5", "12x", "", " 12", "+12", "99999999999"):
            with self.subTest(value=bad):
                p = vmctl("create", "demo", "--memory", bad)
                self.assertRun(p, 2, stdout="")
                self.assertEqual(p.stderr.splitlines()[0], "vmctl create: option '--memory' "
                                 f"needs a whole number, not '{bad}'")
                self.assertTrue(p.stderr.splitlines()[1].startswith("usage: vmctl create NAME"))

    def test_other_usage_errors(self):
        cases = [
            (["create", "demo", "--accel", "xen"],
             "vmctl create: option '--accel' must be one of auto|kvm|tcg, not 'xen'"),
            (["create", "demo", "--vcpus", "2", "--vcpus", "3"],
             "vmctl create: option '--vcpus' given more than once"),
            (["create", "demo", "--memory"], "vmctl create: option '--memory' needs an argument"),
            (["info", "demo", "--bogus"], "vmctl info: invalid option '--bogus'"),
            (["info", "demo", "-q"], "vmctl info: invalid option '-q'"),
            (["info", "demo", "extra"], "vmctl info: unexpected argument 'extra'"),
            (["list", "demo"], "vmctl list: unexpected argument 'demo'"),
            (["shutdown", "demo", "--timeout", "soon"],
             "vmctl shutdown: option '--timeout' needs a whole number, not 'soon'"),
            (["--bogus", "list"], "vmctl: invalid option '--bogus'"),
            (["--socket"], "vmctl: option '--socket' needs an argument"),
        ]
        for argv, first in cases:
            with self.subTest(argv=argv):
                p = vmctl(*argv)
                self.assertRun(p, 2, stdout="")
                self.assertEqual(p.stderr.splitlines()[0], first)
                self.assertTrue(p.stderr.splitlines()[1].startswith("usage: vmctl"), p.stderr)

    def test_usage_is_checked_before_connecting(self):
        p = vmctl("create", "demo", "--memory", "lots", sock="/nonexistent/hostd.sock")
        self.assertRun(p, 2, stdout="")


# ---------------------------------------------------------------------------------------------
class ConnectionFailure(VmctlCase):
    """vmctl cannot reach hostd: exit 1, the path and errno, and a hint."""

    HINT = ("vmctl: is hostd running? Use --socket PATH or $SEKVM_SOCKET to name another "
            "socket.\n")

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vmctl-test-")
        self.addCleanup(shutil.rmtree, self.dir)

    def expect(self, p, path, err):
        self.assertRun(p, 1, stdout="", stderr=(
            f"vmctl: cannot connect to hostd at {path}: {os.strerror(err)}\n" + self.HINT))

    def test_no_socket(self):
        path = os.path.join(self.dir, "none.sock")
        self.expect(vmctl("list", sock=path), path, 2)

    def test_env_names_the_socket_and_option_wins(self):
        env_path, opt_path = os.path.join(self.dir, "env.sock"), os.path.join(self.dir, "opt.sock")
        self.expect(vmctl("list", env=vmctl_env(SEKVM_SOCKET=env_path)), env_path, 2)
        self.expect(vmctl("list", sock=opt_path, env=vmctl_env(SEKVM_SOCKET=env_path)),
                    opt_path, 2)

    def test_default_socket(self):
        if os.path.exists("/run/sekvm/hostd.sock"):
            self.skipTest("a hostd is installed on this machine")
        self.expect(vmctl("host", env=vmctl_env(SEKVM_SOCKET="")), "/run/sekvm/hostd.sock", 2)

    def test_refused(self):
        path = os.path.join(self.dir, "bound.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)  # bound, never listening
        self.addCleanup(s.close)
        self.expect(vmctl("info", "demo", sock=path), path, 111)

    def test_path_too_long(self):
        path = "/tmp/" + "x" * 200
        self.expect(vmctl("list", sock=path), path, 36)

    def test_missing_file_is_reported_before_connecting(self):
        p = vmctl("create", "demo", "--kernel", "no-such-vmlinuz", cwd=self.dir,
                  sock=os.path.join(self.dir, "none.sock"))
        self.assertRun(p, 1, stdout="", stderr=(
            "vmctl: cannot use kernel 'no-such-vmlinuz': No such file or directory\n"))
        p = vmctl("create", "demo", "--disk", "/bin/true", "--disk", "/no/disk.img",
                  sock=os.path.join(self.dir, "none.sock"))
        self.assertRun(p, 1, stdout="", stderr=(
            "vmctl: cannot use disk '/no/disk.img': No such file or directory\n"))


# ---------------------------------------------------------------------------------------------
class Peer:
    """One connection of the scripted hostd; every request and reply is checked."""

    def __init__(self, conn, problems, requests):
        self.conn, self.problems, self.requests, self.buf = conn, problems, requests, b""

    def request(self):
        while b"\n" not in self.buf:
            data = self.conn.recv(65536)
            if not data:
                raise EOFError("vmctl closed before sending a request")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        req = strict_json(line.decode())
        if req.get("jsonrpc") != "2.0" or not isinstance(req.get("id"), int):
            self.problems.append(f"not a JSON-RPC 2.0 request with an integer id: {req}")
        if set(req) - {"jsonrpc", "id", "method", "params"}:
            self.problems.append(f"unknown members in {req}")
        self.problems.extend(params_problems(req.get("method"), req.get("params")))
        self.requests.append(req)
        return req

    def reply(self, req, result, then=b""):
        self.problems.extend(result_problems(req["method"], result))
        self.send({"jsonrpc": "2.0", "id": req["id"], "result": result}, then)

    def error(self, req, code, message, data=None):
        assert code in CONTRACT.error_codes, code
        err = {"code": code, "message": message, **({"data": data} if data else {})}
        self.send({"jsonrpc": "2.0", "id": req["id"], "error": err})

    def send(self, obj, then=b""):
        self.conn.sendall(json.dumps(obj).encode() + b"\n" + then)

    def recv_all(self):
        """Everything vmctl sends after the request, until it closes."""
        data = self.buf
        while chunk := self.conn.recv(65536):
            data += chunk
        return data


class ScriptedHostd:
    """A private socket whose single connection is played by script(peer) in a thread."""

    def __init__(self, test, script):
        self.dir = tempfile.mkdtemp(prefix="vmctl-test-")
        self.path = os.path.join(self.dir, "hostd.sock")
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(self.path)
        self.srv.listen(1)
        self.srv.settimeout(RUN_TIMEOUT)
        self.problems, self.requests = [], []
        self.thread = threading.Thread(target=self._serve, args=(script,), daemon=True)
        self.thread.start()
        test.addCleanup(self.close)

    def _serve(self, script):
        try:
            conn, _ = self.srv.accept()
            conn.settimeout(RUN_TIMEOUT)
            with conn:
                script(Peer(conn, self.problems, self.requests))
        except Exception as e:  # the test sees it in problems
            self.problems.append(f"scripted hostd: {e!r}")

    def done(self):
        self.thread.join(RUN_TIMEOUT)
        return self.problems + (["the scripted hostd did not finish"] if self.thread.is_alive()
                                else [])

    def close(self):
        self.srv.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def vm(name="demo", uuid=UUID_A, **fields):
    """A Vm as the contract shapes it."""
    base = {"uuid": uuid, "name": name, "state": "shut off", "reason": "defined",
            "memory_mib": 256, "vcpus": 1, "kernel": "/usr/share/sekvm/guest/vmlinuz",
            "initrd": "", "cmdline": "", "disks": [], "accel": "auto", "autostart": False}
    base.update(fields)
    return base


class Scripted(VmctlCase):
    """vmctl's client side against a scripted peer: framing, id matching, params, output."""

    def serve(self, script):
        self.peer = ScriptedHostd(self, script)
        return self.peer.path

    def answer(self, result):
        """A script that replies result to one request."""
        return lambda peer: peer.reply(peer.request(), result)

    def assertPeer(self):
        self.assertEqual(self.peer.done(), [])

    def params(self, i=0):
        return self.peer.requests[i]["params"]

    def test_state_changes_say_what_happened(self):
        cases = [
            (["start", "demo"], "vm.start", {"vm": "demo"}, "Domain 'demo' started\n"),
            (["stop", UUID_A], "vm.stop", {"vm": UUID_A}, "Domain 'demo' stopped\n"),
            (["pause", "demo"], "vm.pause", {"vm": "demo"}, "Domain 'demo' paused\n"),
            (["resume", "demo"], "vm.resume", {"vm": "demo"}, "Domain 'demo' resumed\n"),
            (["reboot", "demo"], "vm.reboot", {"vm": "demo", "mode": "acpi"},
             "Domain 'demo' is being rebooted\n"),
            (["reboot", "demo", "--reset"], "vm.reboot", {"vm": "demo", "mode": "reset"},
             "Domain 'demo' was reset\n"),
            (["shutdown", "demo"], "vm.shutdown", {"vm": "demo"},
             "Domain 'demo' is being shut down\n"),
            (["shutdown", "demo", "--timeout", "5", "--force-after", "--wait"], "vm.shutdown",
             {"vm": "demo", "timeout": 5, "force": True, "wait": True},
             "Domain 'demo' shut down\n"),
        ]
        for argv, method, params, out in cases:
            with self.subTest(argv=argv):
                sock = self.serve(self.answer(vm(state="shut off", reason="shutdown")))
                self.assertRun(vmctl(*argv, sock=sock), 0, stdout=out, stderr="")
                self.assertPeer()
                self.assertEqual(self.peer.requests[0]["method"], method)
                self.assertEqual(self.params(), params)

    def test_shutdown_wait_says_when_the_timeout_stopped_it(self):
        sock = self.serve(self.answer(vm(reason="destroyed")))
        p = vmctl("shutdown", "demo", "--force-after", "--wait", sock=sock)
        self.assertRun(p, 0, stderr="",
                       stdout="Domain 'demo' did not shut down in time and was stopped\n")
        self.assertPeer()

    def test_delete_json(self):
        sock = self.serve(self.answer({"uuid": UUID_A, "name": "demo"}))
        result = self.json_of(vmctl("delete", "demo", "--json", sock=sock), "vm.delete")
        self.assertEqual(result, {"uuid": UUID_A, "name": "demo"})
        self.assertPeer()

    def test_create_sends_absolute_paths_in_order(self):
        d = tempfile.mkdtemp(prefix="vmctl-test-")
        self.addCleanup(shutil.rmtree, d)
        for f in ("vmlinuz", "initrd.img", "a.img", "b.img"):
            open(os.path.join(d, f), "w").close()
        sock = self.serve(self.answer(vm()))
        p = vmctl("create", "demo", "--kernel", "vmlinuz", "--initrd", "./initrd.img",
                  "--disk", "b.img", "--disk", os.path.join(d, "a.img"), "--memory", "512",
                  "--vcpus", "2", "--cmdline", "console=ttyS0 quiet", "--accel", "tcg",
                  "--autostart", sock=sock, cwd=d)
        self.assertRun(p, 0, stdout="Domain 'demo' defined\n", stderr="")
        self.assertPeer()
        real = os.path.realpath(d)
        self.assertEqual(self.params(), {
            "name": "demo", "memory_mib": 512, "vcpus": 2, "cmdline": "console=ttyS0 quiet",
            "accel": "tcg", "autostart": True, "kernel": os.path.join(real, "vmlinuz"),
            "initrd": os.path.join(real, "initrd.img"),
            "disks": [os.path.join(real, "b.img"), os.path.join(d, "a.img")]})

    def test_create_sends_only_what_was_given(self):
        sock = self.serve(self.answer(vm()))
        self.assertRun(vmctl("create", "demo", sock=sock), 0, stdout="Domain 'demo' defined\n")
        self.assertPeer()
        self.assertEqual(self.params(), {"name": "demo"})

    def test_list_table(self):
        vms = [vm("alpha", UUID_A), vm("web-frontend-01", UUID_B, state="running",
                                         reason="booted", vcpus=12, memory_mib=16384)]
        sock = self.serve(self.answer({"vms": vms}))
        self.assertRun(vmctl("list", sock=sock), 0, stderr="", stdout=(
            " Name              State      vCPUs   Memory      UUID\n" +
            "-" * 86 + "\n"  # as wide as the rows
            f" alpha             shut off   1       256 MiB     {UUID_A}\n"
            f" web-frontend-01   running    12      16384 MiB   {UUID_B}\n"))
        self.assertPeer()
        self.assertEqual(self.peer.requests[0]["params"], {})

    def test_list_empty(self):
        sock = self.serve(self.answer({"vms": []}))
        self.assertRun(vmctl("list", sock=sock), 0, stderr="", stdout=(
            " Name   State   vCPUs   Memory   UUID\n" + "-" * 37 + "\n"))
        self.assertPeer()

    def test_info_lines(self):
        full = vm(state="running", reason="booted", initrd="/boot/initrd.img",
                  cmdline="console=ttyS0", disks=["/srv/a.img", "/srv/b.img"], autostart=True,
                  pid=4242, accel_used="tcg", console_log="/var/lib/sekvm/demo/console.log")
        sock = self.serve(self.answer(full))
        self.assertRun(vmctl("info", "demo", sock=sock), 0, stderr="", stdout=(
            "Name:           demo\n"
            f"UUID:           {UUID_A}\n"
            "State:          running\n"
            "Reason:         booted\n"
            "vCPUs:          1\n"
            "Memory:         256 MiB\n"
            "Kernel:         /usr/share/sekvm/guest/vmlinuz\n"
            "Initrd:         /boot/initrd.img\n"
            "Cmdline:        console=ttyS0\n"
            "Disks:          /srv/a.img\n"
            "                /srv/b.img\n"
            "Accel:          auto\n"
            "Autostart:      yes\n"
            "Accel used:     tcg\n"
            "PID:            4242\n"
            "Console log:    /var/lib/sekvm/demo/console.log\n"))
        self.assertPeer()

    def test_host_lines(self):
        host = {"version": "0.1.0", "hostname": "box", "arch": "x86_64",
                "kvm": {"usable": False, "reason": "/dev/kvm does not exist"},
                "default_accel": "tcg", "qemu": "/usr/bin/qemu-system-x86_64",
                "vms_defined": 3, "vms_running": 1,
                "default_guest": {"kernel": "/g/vmlinuz", "initrd": "", "available": False}}
        sock = self.serve(self.answer(host))
        self.assertRun(vmctl("host", sock=sock), 0, stderr="", stdout=(
            "Version:        0.1.0\n"
            "Hostname:       box\n"
            "Arch:           x86_64\n"
            "KVM:            not usable (/dev/kvm does not exist)\n"
            "Default accel:  tcg\n"
            "QEMU:           /usr/bin/qemu-system-x86_64\n"
            "VMs defined:    3\n"
            "VMs running:    1\n"
            "Default guest:  not available\n"
            "Guest kernel:   /g/vmlinuz\n"
            "Guest initrd:   -\n"))
        self.assertPeer()

    def test_global_json_and_notifications_are_skipped(self):
        def script(peer):
            req = peer.request()
            # ARCHITECTURE.md: hostd may push notifications (no id) on any connection.
            peer.send({"jsonrpc": "2.0", "method": "vm.event", "params": {"vm": "demo"}})
            peer.reply(req, vm())
        sock = self.serve(script)
        result = self.json_of(vmctl("--json", "info", "demo", sock=sock), "vm.info")
        self.assertEqual(result, vm())
        self.assertPeer()

    def test_reply_split_across_writes(self):
        def script(peer):
            req = peer.request()
            line = json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": vm()}).encode()
            for i in range(0, len(line), 7):
                peer.conn.sendall(line[i:i + 7])
            peer.conn.sendall(b"\n")
        sock = self.serve(script)
        self.assertRun(vmctl("start", "demo", sock=sock), 0, stdout="Domain 'demo' started\n")
        self.assertPeer()

    def test_hostd_error_is_one_line(self):
        def script(peer):
            peer.error(peer.request(), 2, "a VM named 'demo' already exists")
        sock = self.serve(script)
        self.assertRun(vmctl("create", "demo", sock=sock), 1, stdout="",
                       stderr="vmctl: a VM named 'demo' already exists\n")
        self.assertPeer()

    def test_error_with_null_id(self):
        def script(peer):
            peer.request()
            peer.send({"jsonrpc": "2.0", "id": None,
                       "error": {"code": -32700, "message": "line 1: not valid JSON"}})
        sock = self.serve(script)
        self.assertRun(vmctl("list", sock=sock), 1, stdout="",
                       stderr="vmctl: line 1: not valid JSON\n")
        self.assertPeer()

    def test_malformed_replies(self):
        cases = [
            (b"not json\n", "not one JSON text"),
            (b'{"jsonrpc":"2.0","id":99,"result":{}}\n', "a response to another request"),
            (b'{"jsonrpc":"1.0","id":1,"result":{}}\n', "not a JSON-RPC 2.0 object"),
            (b'{"jsonrpc":"2.0","id":1}\n', "not exactly one of result and error"),
            (b'{"jsonrpc":"2.0","id":1,"error":{"code":"x"}}\n',
             "an error without code or message"),
            (b"x" * (LINE_MAX + 10), "a line longer than 1 MiB"),
            (b"", None),
        ]
        for raw, why in cases:
            with self.subTest(why=why):
                def script(peer, raw=raw):
                    peer.request()
                    try:
                        peer.conn.sendall(raw)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # vmctl stopped reading at the limit, as it should
                sock = self.serve(script)
                err = (f"vmctl: malformed reply from hostd: {why}\n" if why else
                       "vmctl: hostd closed the connection without replying\n")
                self.assertRun(vmctl("list", sock=sock), 1, stdout="", stderr=err)
                self.assertPeer()

    # ---- console ----

    def console_reply(self):
        return {"uuid": UUID_A, "name": "demo", "replayed": 0}

    def test_console_no_attach_keeps_bytes_that_came_with_the_reply(self):
        replay = b"boot\r\n\x00\x1d\xff binary \xfe\r\nlogin: "
        sock = self.serve(lambda peer: peer.reply(peer.request(), self.console_reply(), replay))
        p = vmctl("console", "demo", "--no-attach", sock=sock, text=False, input=b"ignored")
        self.assertRun(p, 0, stdout=replay, stderr=b"")
        self.assertPeer()
        self.assertEqual(self.params(), {"vm": "demo", "replay": True, "follow": False,
                                         "write": False, "force": False})

    def test_console_pipe_copies_both_ways(self):
        typed = b"root\n\x1d stays a byte without a tty\x00"
        got = []

        def script(peer):
            peer.reply(peer.request(), self.console_reply(), b"login: ")
            data = peer.buf
            while len(data) < len(typed):
                data += peer.conn.recv(65536)
            got.append(data)
            peer.conn.sendall(b"\r\n# ")
        sock = self.serve(script)
        p = vmctl("console", UUID_A, "--force", sock=sock, text=False, input=typed)
        self.assertRun(p, 0, stdout=b"login: \r\n# ", stderr=b"")
        self.assertPeer()
        self.assertEqual(got, [typed])
        self.assertEqual(self.params(), {"vm": UUID_A, "replay": True, "follow": True,
                                         "write": True, "force": True})

    def test_console_read_only_sends_nothing(self):
        got = []

        def script(peer):
            peer.reply(peer.request(), self.console_reply(), b"output")
            peer.conn.shutdown(socket.SHUT_WR)
            got.append(peer.recv_all())
        sock = self.serve(script)
        p = vmctl("console", "demo", "--read-only", "--force", sock=sock, text=False,
                  input=b"typed")
        self.assertRun(p, 0, stdout=b"output", stderr=b"")
        self.assertPeer()
        self.assertEqual(got, [b""])
        self.assertEqual(self.params(), {"vm": "demo", "replay": True, "follow": True,
                                         "write": False, "force": False})

    def test_console_ends_when_its_reader_does(self):
        sock = self.serve(lambda peer: (peer.reply(peer.request(), self.console_reply(),
                                                   b"up\r\n" + MARKER + b"\r\n"),
                                        peer.recv_all()))
        p = subprocess.Popen([VMCTL, "--socket", sock, "console", "demo", "--read-only"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=vmctl_env())
        self.addCleanup(reap, p)
        read_until(p, MARKER, RUN_TIMEOUT)
        p.stdout.close()  # like "| sed /MARKER/q"; the guest says nothing more
        self.assertEqual(p.wait(RUN_TIMEOUT), 0)
        self.assertEqual(p.stderr.read(), b"")
        self.assertPeer()

    def test_console_error(self):
        sock = self.serve(lambda peer: peer.error(
            peer.request(), 5, "VM 'demo': another client is typing into the console"))
        p = vmctl("console", "demo", sock=sock, stdin=subprocess.DEVNULL)
        self.assertRun(p, 1, stdout="",
                       stderr="vmctl: VM 'demo': another client is typing into the console\n")
        self.assertPeer()

    def start_tty_console(self, script):
        """vmctl console with a pty as standard input; returns (process, master, slave, mode)."""
        sock = self.serve(script)
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        self.addCleanup(os.close, slave)
        mode = termios.tcgetattr(slave)
        p = subprocess.Popen([VMCTL, "--socket", sock, "console", "demo"], stdin=slave,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=vmctl_env())
        self.addCleanup(reap, p)
        return p, master, slave, mode

    def wait_raw(self, slave, p):
        """Keys typed before raw mode would be cooked (\r to \n), so wait for it: a poll with a
        deadline, paced by select."""
        deadline = time.monotonic() + RUN_TIMEOUT
        while termios.tcgetattr(slave)[3] & termios.ICANON:
            self.assertIsNone(p.poll(), "vmctl ended before it put the terminal in raw mode")
            self.assertLess(time.monotonic(), deadline, "vmctl never put the terminal in raw mode")
            select.select([], [], [], 0.01)

    def test_console_tty_detaches_on_escape_and_restores_the_terminal(self):
        got = []

        def script(peer):
            peer.reply(peer.request(), self.console_reply(), b"login: ")
            got.append(peer.recv_all())
        p, master, slave, mode = self.start_tty_console(script)
        self.wait_raw(slave, p)
        os.write(master, b"root\r\x1dnot sent")
        out, err = p.communicate(timeout=RUN_TIMEOUT)
        self.assertEqual((p.returncode, out), (0, b"login: "), err)
        self.assertEqual(err, b"Connected to domain 'demo'\nEscape character is ^]\n\n")
        self.assertPeer()
        self.assertEqual(got, [b"root\r"])
        self.assertEqual(termios.tcgetattr(slave), mode)

    def test_console_tty_restores_the_terminal_on_sigterm(self):
        typing = threading.Event()

        def script(peer):
            peer.reply(peer.request(), self.console_reply())
            if peer.conn.recv(1) == b"x":  # vmctl is in raw mode and copying
                typing.set()
            peer.recv_all()
        p, master, slave, mode = self.start_tty_console(script)
        self.wait_raw(slave, p)
        os.write(master, b"x")
        self.assertTrue(typing.wait(RUN_TIMEOUT), "vmctl did not pass on the key")
        self.assertNotEqual(termios.tcgetattr(slave), mode)
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=RUN_TIMEOUT)
        self.assertEqual(p.returncode, -signal.SIGTERM)
        self.assertEqual(termios.tcgetattr(slave), mode)
        self.assertPeer()

    def test_console_tty_hostd_closes(self):
        sock_script = (lambda peer: peer.reply(peer.request(), self.console_reply(), b"bye"))
        p, master, slave, mode = self.start_tty_console(sock_script)
        out, err = p.communicate(timeout=RUN_TIMEOUT)
        self.assertEqual((p.returncode, out), (0, b"bye"), err)
        self.assertTrue(err.endswith(b"\nvmctl: hostd closed the console of domain 'demo'\n"), err)
        self.assertEqual(termios.tcgetattr(slave), mode)
        self.assertPeer()


# ---------------------------------------------------------------------------------------------
class AgainstHostd(VmctlCase):
    """vmctl and a real hostd on a private state dir, runtime dir and socket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Without a HOSTD binary this raises, and every test of the class fails.
        cls.hostd = Hostd().start("--accel", "tcg")
        cls.sock = cls.hostd.sock

    @classmethod
    def tearDownClass(cls):
        cls.hostd.cleanup()

    def tearDown(self):
        if not getattr(self._outcome, "success", True):
            print(f"--- hostd log ({self.hostd.log_path}) ---\n{self.hostd.log_text()}")

    def run_vmctl(self, *args, **kwargs):
        return vmctl(*args, sock=self.sock, **kwargs)

    def create(self, name, *args):
        """Creates a VM (deleted again when the test ends) and returns its Vm object."""
        result = self.json_of(self.run_vmctl("create", name, "--json", *args), "vm.create")
        self.addCleanup(self.run_vmctl, "delete", name)
        return result

    def test_host(self):
        host = self.json_of(self.run_vmctl("host", "--json"), "host.info")
        self.assertEqual(host["default_accel"], "tcg")
        p = self.run_vmctl("host")
        self.assertRun(p, 0, stderr="")
        self.assertIn(f"Version:        {host['version']}\n", p.stdout)
        self.assertIn(f"Default accel:  tcg\n", p.stdout)

    def test_create_info_delete(self):
        p = self.run_vmctl("create", "demo", "--kernel", "/bin/true", "--memory", "128",
                           "--vcpus", "2", "--cmdline", "console=ttyS0", "--accel", "tcg")
        self.assertRun(p, 0, stdout="Domain 'demo' defined\n", stderr="")
        self.addCleanup(self.run_vmctl, "delete", "demo")
        info = self.json_of(self.run_vmctl("info", "demo", "--json"), "vm.info")
        required = {k: info[k] for k in CONTRACT.schemas["Vm"]["required"]}
        self.assertEqual(required, vm(uuid=info["uuid"], memory_mib=128, vcpus=2,
                                      kernel="/bin/true", cmdline="console=ttyS0", accel="tcg"))
        expected = (
            "Name:           demo\n"
            f"UUID:           {info['uuid']}\n"
            "State:          shut off\n"
            "Reason:         defined\n"
            "vCPUs:          2\n"
            "Memory:         128 MiB\n"
            "Kernel:         /bin/true\n"
            "Initrd:         -\n"
            "Cmdline:        console=ttyS0\n"
            "Disks:          -\n"
            "Accel:          tcg\n"
            "Autostart:      no\n")
        for key, label in (("accel_used", "Accel used"), ("pid", "PID"), ("error", "Error"),
                           ("console_log", "Console log")):
            if key in info:
                expected += f"{label + ':':16}{info[key]}\n"
        self.assertRun(self.run_vmctl("info", "demo"), 0, stdout=expected, stderr="")
        self.assertRun(self.run_vmctl("info", info["uuid"]), 0, stdout=expected, stderr="")
        self.assertRun(self.run_vmctl("delete", "demo"), 0, stdout="Domain 'demo' deleted\n",
                       stderr="")
        p = self.run_vmctl("info", "demo")
        self.assertRun(p, 1, stdout="")
        self.assertRegex(p.stderr, r"^vmctl: [^\n]*demo[^\n]*\n$")

    def test_list(self):
        self.assertRun(self.run_vmctl("list"), 0, stderr="", stdout=(
            " Name   State   vCPUs   Memory   UUID\n" + "-" * 37 + "\n"))
        alpha = self.create("alpha", "--kernel", "/bin/true")
        web = self.create("web-frontend-01", "--kernel", "/bin/true", "--memory", "1024",
                          "--vcpus", "4")
        self.assertRun(self.run_vmctl("list"), 0, stderr="", stdout=(
            " Name              State      vCPUs   Memory     UUID\n" +
            "-" * 85 + "\n"  # as wide as the rows
            f" alpha             shut off   1       256 MiB    {alpha['uuid']}\n"
            f" web-frontend-01   shut off   4       1024 MiB   {web['uuid']}\n"))
        listed = self.json_of(self.run_vmctl("--json", "list"), "vm.list")
        self.assertEqual(listed, {"vms": [alpha, web]})

    def test_json_create_and_delete(self):
        created = self.json_of(self.run_vmctl("create", "j1", "--kernel", "/bin/true",
                                              "--json"), "vm.create")
        self.assertEqual((created["name"], created["state"]), ("j1", "shut off"))
        deleted = self.json_of(self.run_vmctl("--json", "delete", "j1"), "vm.delete")
        self.assertEqual(deleted, {"uuid": created["uuid"], "name": "j1"})

    def test_duplicate_name(self):
        self.create("dup", "--kernel", "/bin/true")
        for json_flag in ([], ["--json"]):
            p = self.run_vmctl("create", "dup", "--kernel", "/bin/true", *json_flag)
            self.assertRun(p, 1, stdout="")
            self.assertRegex(p.stderr, r"^vmctl: [^\n]*\bdup\b[^\n]*\n$")

    def test_errors_name_the_vm(self):
        for argv in (["info", "ghost"], ["start", "ghost"], ["delete", "ghost"],
                     ["console", "ghost", "--no-attach"]):
            with self.subTest(argv=argv):
                p = self.run_vmctl(*argv, stdin=subprocess.DEVNULL)
                self.assertRun(p, 1, stdout="")
                self.assertRegex(p.stderr, r"^vmctl: [^\n]*\bghost\b[^\n]*\n$")

    def test_hostd_checks_the_ranges(self):
        p = self.run_vmctl("create", "tiny", "--kernel", "/bin/true", "--memory", "1")
        self.assertRun(p, 1, stdout="")
        self.assertRegex(p.stderr, r"^vmctl: [^\n]*\n$")
        self.assertRun(self.run_vmctl("info", "tiny"), 1, stdout="")

    def test_relative_paths_become_absolute(self):
        d = tempfile.mkdtemp(prefix="vmctl-test-")
        self.addCleanup(shutil.rmtree, d)
        for f in ("vmlinuz", "root.img", "data.img"):
            open(os.path.join(d, f), "w").close()
        p = self.run_vmctl("create", "rel", "--kernel", "vmlinuz", "--disk", "root.img",
                           "--disk", "./data.img", cwd=d)
        self.assertRun(p, 0, stdout="Domain 'rel' defined\n", stderr="")
        self.addCleanup(self.run_vmctl, "delete", "rel")
        info = self.json_of(self.run_vmctl("info", "rel", "--json"), "vm.info")
        real = os.path.realpath(d)
        self.assertEqual((info["kernel"], info["disks"]), (
            os.path.join(real, "vmlinuz"),
            [os.path.join(real, "root.img"), os.path.join(real, "data.img")]))

    def test_missing_kernel_is_not_sent(self):
        p = self.run_vmctl("create", "nokernel", "--kernel", "/no/such/vmlinuz")
        self.assertRun(p, 1, stdout="", stderr=(
            "vmctl: cannot use kernel '/no/such/vmlinuz': No such file or directory\n"))
        self.assertRun(self.run_vmctl("info", "nokernel"), 1, stdout="")


# ---------------------------------------------------------------------------------------------
class WithGuest(VmctlCase):
    """vmctl drives the bundled default guest through its life on a real hostd."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not GUEST_DIR or not os.path.exists(os.path.join(GUEST_DIR, "kernel")):
            raise AssertionError(f"GUEST_DIR={GUEST_DIR!r} holds no default guest; build it first")
        cls.hostd = Hostd().start()  # accel from SEKVM_ACCEL, as the lifecycle tests run it

    @classmethod
    def tearDownClass(cls):
        cls.hostd.cleanup()

    def tearDown(self):
        if not getattr(self._outcome, "success", True):
            print(f"--- hostd log ({self.hostd.log_path}) ---\n{self.hostd.log_text()}")

    def ok(self, *args, out):
        self.assertRun(vmctl(*args, sock=self.hostd.sock, stdin=subprocess.DEVNULL), 0,
                       stdout=out, stderr="")

    def info(self, name):
        return self.json_of(vmctl("info", name, "--json", sock=self.hostd.sock), "vm.info")

    def attach(self, name, *args):
        """vmctl console with pipes: what is written to p.stdin is typed into the guest."""
        p = subprocess.Popen([VMCTL, "--socket", self.hostd.sock, "console", name, *args],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=vmctl_env())
        self.addCleanup(reap, p)
        return p

    def type(self, p, line, expect):
        p.stdin.write(line.encode() + b"\n")
        p.stdin.flush()
        read_until(p, expect.encode())

    def boot(self, name):
        self.ok("create", name, out=f"Domain '{name}' defined\n")
        self.addCleanup(vmctl, "delete", name, sock=self.hostd.sock)
        self.addCleanup(vmctl, "stop", name, sock=self.hostd.sock)
        self.ok("start", name, out=f"Domain '{name}' started\n")
        con = self.attach(name)
        read_until(con, MARKER)
        return con

    def test_power_operations(self):
        con = self.boot("g")
        self.type(con, "echo hello-$((6*7))", "hello-42")
        self.ok("pause", "g", out="Domain 'g' paused\n")
        self.assertEqual(self.info("g")["state"], "paused")
        self.ok("resume", "g", out="Domain 'g' resumed\n")
        self.type(con, "echo resumed-$((1+1))", "resumed-2")
        replay = vmctl("console", "g", "--no-attach", sock=self.hostd.sock, text=False)
        self.assertRun(replay, 0, stderr=b"")
        self.assertIn(MARKER, replay.stdout)
        self.ok("shutdown", "g", "--wait", "--timeout", "60", out="Domain 'g' shut down\n")
        self.assertEqual(con.wait(BOOT_TIMEOUT), 0)  # hostd closes the console of a stopped VM
        self.assertEqual((self.info("g")["state"], self.info("g")["reason"]),
                         ("shut off", "shutdown"))
        self.ok("start", "g", out="Domain 'g' started\n")
        self.ok("reboot", "g", "--reset", out="Domain 'g' was reset\n")
        self.ok("stop", "g", out="Domain 'g' stopped\n")
        self.assertEqual((self.info("g")["state"], self.info("g")["reason"]),
                         ("shut off", "destroyed"))
        self.ok("delete", "g", out="Domain 'g' deleted\n")

    def test_console_writers(self):
        first = self.boot("w")
        second = vmctl("console", "w", sock=self.hostd.sock, stdin=subprocess.DEVNULL)
        self.assertRun(second, 1, stdout="")
        self.assertRegex(second.stderr, r"^vmctl: [^\n]*\bw\b[^\n]*\n$")
        watcher = self.attach("w", "--read-only")
        read_until(watcher, MARKER)  # replayed
        taker = self.attach("w", "--force")
        self.type(taker, "echo taken-$((2*3))", "taken-6")
        read_until(watcher, b"taken-6")
        self.ok("stop", "w", out="Domain 'w' stopped\n")
        for p in (first, watcher, taker):
            self.assertEqual(p.wait(BOOT_TIMEOUT), 0, p.stderr.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
