#!/usr/bin/env python3
"""hostd as a systemd service would run it: socket activation (LISTEN_FDS, through systemd's own
systemd-socket-activate), sd_notify READY=1 and STOPPING=1, the socket's mode, --check-config."""
import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import unittest

from harness import HOSTD, Client, Hostd, RpcError, wait_socket

ACTIVATE = shutil.which("systemd-socket-activate")


class Service(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="sekvm-svc-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.args = [HOSTD, "--state-dir", f"{self.root}/state", "--runtime-dir", f"{self.root}/run"]

    def notify_socket(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        path = f"{self.root}/notify.sock"
        s.bind(path)
        s.settimeout(30)
        self.addCleanup(s.close)
        return s, path

    def test_ready_and_stopping_notifications(self):
        notify, path = self.notify_socket()
        sock = f"{self.root}/h.sock"
        p = subprocess.Popen(self.args + ["--socket", sock], env=dict(os.environ, NOTIFY_SOCKET=path),
                             stderr=subprocess.PIPE)
        self.assertIn(b"READY=1", notify.recv(4096))
        c = Client(sock)  # READY means it answers
        self.assertEqual(c.call("vm.list"), {"vms": []})
        c.close()
        p.send_signal(signal.SIGTERM)
        self.assertIn(b"STOPPING=1", notify.recv(4096))
        self.assertEqual(p.wait(timeout=30), 0)
        p.stderr.close()
        self.assertFalse(os.path.exists(sock), "hostd left its own socket behind")

    def test_own_socket_mode_is_0660(self):
        h = Hostd(self.root).start()
        self.addCleanup(h.cleanup)
        self.assertEqual(stat.S_IMODE(os.stat(h.sock).st_mode), 0o660)

    def test_socket_activation(self):
        self.assertTrue(ACTIVATE, "systemd-socket-activate is missing: packaging/install-deps --test installs systemd")
        sock = f"{self.root}/activated.sock"
        p = subprocess.Popen([ACTIVATE, "-l", sock] + self.args + ["--socket", "/nonexistent/unused.sock"],
                             stderr=subprocess.PIPE)
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        wait_socket(sock, p)  # systemd-socket-activate listens; hostd starts on the first connection
        c = Client(sock)
        self.assertEqual(c.call("host.info")["vms_defined"], 0)
        c.close()
        self.assertIsNone(p.poll())
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=30), 0)
        self.assertIn(b"ready", p.stderr.read())
        p.stderr.close()

    def test_read_only_socket(self):
        h = Hostd(self.root).start()
        self.addCleanup(h.cleanup)
        ro_path = h.sock[:-len(".sock")] + "-ro.sock"
        self.assertEqual(stat.S_IMODE(os.stat(ro_path).st_mode), 0o666)
        h.call("vm.create", {"name": "seen", "kernel": "/bin/true"})
        ro = Client(ro_path)
        self.assertEqual([v["name"] for v in ro.call("vm.list")["vms"]], ["seen"])
        self.assertEqual(ro.call("events.subscribe"), {"subscribed": True})
        for method, params in (("vm.create", {"name": "x", "kernel": "/bin/true"}), ("vm.delete", {"vm": "seen"}),
                               ("vm.start", {"vm": "seen"}), ("vm.console", {"vm": "seen"})):
            with self.assertRaises(RpcError) as cm:
                ro.call(method, params)
            self.assertEqual(cm.exception.code, 4)
            self.assertIn("read-only socket", cm.exception.message)
        h.call("vm.delete", {"vm": "seen"})  # the read-only subscriber still hears about it
        self.assertEqual(ro.next_notification()["params"]["event"], "undefined")
        ro.close()
        self.assertEqual(h.stop(), 0)
        self.assertFalse(os.path.exists(ro_path))

    def test_socket_activation_with_both_sockets(self):
        self.assertTrue(ACTIVATE, "systemd-socket-activate is missing: packaging/install-deps --test installs systemd")
        rw, ro = f"{self.root}/a.sock", f"{self.root}/a-ro.sock"
        p = subprocess.Popen([ACTIVATE, "-l", rw, "-l", ro, "--fdname=hostd.socket:hostd-ro.socket"] + self.args,
                             stderr=subprocess.DEVNULL)
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        wait_socket(ro, p)
        with self.assertRaises(RpcError) as cm:
            Client(ro).call("vm.create", {"name": "x", "kernel": "/bin/true"})
        self.assertEqual(cm.exception.code, 4)
        self.assertEqual(Client(rw).call("vm.create", {"name": "x", "kernel": "/bin/true"})["name"], "x")
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=30), 0)

    def test_check_config(self):
        r = subprocess.run(self.args + ["--check-config"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("configuration ok", r.stdout)
        r = subprocess.run(self.args + ["--accel", "warp"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("must be auto, kvm or tcg", r.stderr)
        r = subprocess.run([HOSTD, "--state-dir", "/proc/version/x", "--check-config"], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot use directory /proc/version/x", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
