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

from harness import HOSTD, Client, Hostd, wait_socket

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
