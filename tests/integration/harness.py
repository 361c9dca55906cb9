"""Test harness for hostd: a real hostd on private directories, and a client that checks every
request and reply against protocols/hostd-api.json (unknown fields are errors).

Environment: HOSTD (binary), GUEST_DIR (the default guest), API_JSON (the contract),
SEKVM_ACCEL (passed through to hostd: auto, kvm or tcg).
"""
import json
import os
import resource
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
API_JSON = os.environ.get("API_JSON", os.path.join(HERE, "..", "..", "protocols", "hostd-api.json"))
HOSTD = os.environ.get("HOSTD", "")
GUEST_DIR = os.environ.get("GUEST_DIR", "")
MARKER = b"SEKVM-GUEST-UP"
BOOT_TIMEOUT = 120  # seconds; TCG boots take 2-7 s on a 2-core machine, more under the sanitizers


class ContractError(AssertionError):
    pass


class Contract:
    """The subset of JSON Schema that hostd-api.json uses."""

    def __init__(self, path=API_JSON):
        with open(path, encoding="utf-8") as f:
            self.api = json.load(f)
        self.methods = {m["name"]: m for m in self.api["methods"]}
        self.schemas = self.api["components"]["schemas"]
        self.error_codes = {e["code"] for e in self.api["x-sekvm-errors"]}

    def resolve(self, s):
        while "$ref" in s:
            s = self.schemas[s["$ref"].rsplit("/", 1)[1]]
        return s

    def check(self, schema, value, where):
        s = self.resolve(schema)
        t = s.get("type")
        types = {"object": dict, "array": list, "string": str, "boolean": bool}
        if t == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                raise ContractError(f"{where}: expected integer, got {value!r}")
            if value < s.get("minimum", value) or value > s.get("maximum", value):
                raise ContractError(f"{where}: {value} out of range")
        elif t in types and not isinstance(value, types[t]):
            raise ContractError(f"{where}: expected {t}, got {value!r}")
        if "enum" in s and value not in s["enum"]:
            raise ContractError(f"{where}: {value!r} not one of {s['enum']}")
        if "pattern" in s and not re.search(s["pattern"], value):
            raise ContractError(f"{where}: {value!r} does not match {s['pattern']}")
        if t == "array":
            for i, item in enumerate(value):
                self.check(s["items"], item, f"{where}[{i}]")
        if t == "object" and "properties" in s:
            for key in s.get("required", []):
                if key not in value:
                    raise ContractError(f"{where}: missing required field {key!r}")
            for key, v in value.items():
                if key not in s["properties"]:
                    raise ContractError(f"{where}: unknown field {key!r}")
                self.check(s["properties"][key], v, f"{where}.{key}")

    def check_notification(self, msg):
        notes = {n["name"]: n for n in self.api.get("x-notifications", [])}
        if set(msg) - {"jsonrpc", "method", "params"} or msg.get("jsonrpc") != "2.0" or "id" in msg:
            raise ContractError(f"bad notification envelope: {msg}")
        if msg["method"] not in notes:
            raise ContractError(f"notification {msg['method']!r} is not in the contract")
        self.check(notes[msg["method"]]["params"], msg["params"], msg["method"])

    def check_request(self, method, params):
        m = self.methods.get(method)
        if m is None:
            return  # a test of unknown methods
        spec = {p["name"]: p for p in m["params"]}
        for key in params or {}:
            if key not in spec:
                return  # a deliberately bad request
        for key, value in (params or {}).items():
            try:
                self.check(spec[key]["schema"], value, f"{method}.params.{key}")
            except ContractError:
                return  # a deliberately bad request: hostd must refuse it

    def check_response(self, method, response, batched=False):
        allowed = {"jsonrpc", "id", "result", "error"}
        if set(response) - allowed or response.get("jsonrpc") != "2.0":
            raise ContractError(f"bad response envelope: {response}")
        if ("result" in response) == ("error" in response):
            raise ContractError(f"response must have exactly one of result and error: {response}")
        if "error" in response:
            e = response["error"]
            if set(e) - {"code", "message", "data"} or not isinstance(e.get("message"), str) or not e["message"]:
                raise ContractError(f"bad error object: {e}")
            if e["code"] not in self.error_codes:
                raise ContractError(f"error code {e['code']} is not in the contract")
            return
        if method in self.methods:
            self.check(self.methods[method]["result"]["schema"], response["result"], f"{method}.result")


CONTRACT = Contract()


class RpcError(Exception):
    def __init__(self, error):
        super().__init__(f"{error['code']}: {error['message']}")
        self.code = error["code"]
        self.message = error["message"]
        self.data = error.get("data")


class Client:
    def __init__(self, path, timeout=BOOT_TIMEOUT, wait_for_backlog=False):
        """wait_for_backlog: connect before the timeout is set. A UNIX socket with a timeout is
        non-blocking, and its connect fails with EAGAIN instead of waiting while hostd's listen
        backlog is full."""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if wait_for_backlog:
            self.sock.connect(path)
            self.sock.settimeout(timeout)
        else:
            self.sock.settimeout(timeout)
            self.sock.connect(path)
        self.buf = b""
        self.next_id = 1
        self.notifications = []  # received while waiting for replies, each checked

    def close(self):
        self.sock.close()

    def send_line(self, data):
        self.sock.sendall(data if data.endswith(b"\n") else data + b"\n")

    def read_line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("hostd closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, method, params=None):
        CONTRACT.check_request(method, params)
        req = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        self.next_id += 1
        if params is not None:
            req["params"] = params
        self.send_line(json.dumps(req).encode())
        resp = self.read_line()
        while "id" not in resp:
            CONTRACT.check_notification(resp)
            self.notifications.append(resp)
            resp = self.read_line()
        CONTRACT.check_response(method, resp)
        if resp["id"] != req["id"]:
            raise ContractError(f"reply id {resp['id']} for request id {req['id']}")
        if "error" in resp:
            raise RpcError(resp["error"])
        return resp["result"]

    def next_notification(self, timeout=BOOT_TIMEOUT):
        """The next notification, checked against the contract."""
        if self.notifications:
            return self.notifications.pop(0)
        self.sock.settimeout(timeout)
        msg = self.read_line()
        CONTRACT.check_notification(msg)
        return msg

    def read_until(self, needle, timeout=BOOT_TIMEOUT):
        """In console mode: read raw bytes until needle appears; returns everything read."""
        deadline = time.monotonic() + timeout
        while needle not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{needle!r} not seen; got {self.buf[-2000:]!r}")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(f"console closed before {needle!r}; got {self.buf[-2000:]!r}")
            self.buf += chunk
        return self.buf

    def read_all(self):
        """Until hostd closes the connection."""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                return self.buf
            self.buf += chunk


def wait_socket(path, proc, timeout=30):
    """Until hostd accepts connections (or dies): poll with a deadline, never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"hostd exited with {proc.returncode} before listening")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(path)
            return
        except OSError:
            time.sleep(0.02)  # poll interval while waiting for the socket, bounded by the deadline
    raise TimeoutError(f"hostd did not listen on {path} within {timeout} s")


class Hostd:
    """A real hostd on a private state dir, runtime dir and socket."""

    def __init__(self, root=None):
        if not HOSTD or not os.access(HOSTD, os.X_OK):
            raise RuntimeError(f"HOSTD={HOSTD!r} is not an executable hostd")
        self.own_root = root is None
        self.root = root or tempfile.mkdtemp(prefix="sekvm-it-")
        self.state = os.path.join(self.root, "state")
        self.run = os.path.join(self.root, "run")
        self.sock = os.path.join(self.root, "hostd.sock")
        self.log_path = os.path.join(self.root, "hostd.log")
        self.proc = None
        self.clients = []

    def start(self, *extra, nofile=None):
        """nofile: hostd's RLIMIT_NOFILE, soft and hard (it raises its soft limit to the hard one)."""
        args = [HOSTD, "--state-dir", self.state, "--runtime-dir", self.run, "--socket", self.sock,
                "--guest-dir", GUEST_DIR or os.path.join(self.root, "no-guest"), *extra]
        self.log = open(self.log_path, "ab")
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))) if nofile else None
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL,
                                     preexec_fn=limit)
        wait_socket(self.sock, self.proc)
        return self

    def client(self):
        c = Client(self.sock)
        self.clients.append(c)
        return c

    def call(self, method, params=None):
        c = self.client()
        try:
            return c.call(method, params)
        finally:
            c.close()

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        if self.proc:
            self.log.close()
        code = self.proc.returncode if self.proc else None
        self.proc = None
        return code

    def log_text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def definitions(self):
        d = os.path.join(self.state, "vms")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def cleanup(self, remove=True):
        """Stop hostd and every QEMU it left running (VMs outlive hostd by design)."""
        for c in self.clients:
            c.close()
        self.stop()
        for root, _, files in os.walk(self.run):
            if "pid" in files:
                with open(os.path.join(root, "pid")) as f:
                    pid = int(f.read().split()[0])
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.own_root and remove:
            shutil.rmtree(self.root, ignore_errors=True)


class HostdTestCase(unittest.TestCase):
    """Each test gets its own hostd; its log is printed when the test fails."""

    hostd_args = ()

    def setUp(self):
        self.hostd = Hostd().start(*self.hostd_args)

    def tearDown(self):
        self.hostd.cleanup(remove=False)

    def run(self, result=None):
        result = result or self.defaultTestResult()
        problems = len(result.failures) + len(result.errors)
        super().run(result)
        h = getattr(self, "hostd", None)
        if h is not None:
            if len(result.failures) + len(result.errors) > problems:
                sys.stderr.write(f"--- hostd log of {self.id()} ---\n{h.log_text()}--- end of hostd log ---\n")
            shutil.rmtree(h.root, ignore_errors=True)
        return result

    def call(self, method, params=None):
        return self.hostd.call(method, params)

    def assertRpcError(self, code, method, params=None, message=None):
        with self.assertRaises(RpcError) as cm:
            self.call(method, params)
        self.assertEqual(cm.exception.code, code, cm.exception.message)
        if message is not None:
            self.assertIn(message, cm.exception.message)
        return cm.exception

    def snapshot(self):
        """What must not change when a request fails."""
        return (self.hostd.definitions(), self.call("vm.list"))

    def console(self, vm, **params):
        c = self.hostd.client()
        reply = c.call("vm.console", {"vm": vm, **params})
        return c, reply


def main():
    unittest.main(verbosity=2)
