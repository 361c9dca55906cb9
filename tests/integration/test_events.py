#!/usr/bin/env python3
"""hostd's event notifications (events.subscribe, vmctl events) and autostart, with real VMs."""
import os
import select
import shutil
import signal
import subprocess
import time

from harness import GUEST_DIR, MARKER, HostdTestCase, main

VMCTL = os.environ.get("VMCTL", "")


class Events(HostdTestCase):
    def setUp(self):
        if not GUEST_DIR or not os.path.exists(os.path.join(GUEST_DIR, "kernel")):
            self.fail(f"GUEST_DIR={GUEST_DIR!r} holds no default guest; build it first")
        super().setUp()
        self.sub = self.hostd.client()
        self.assertEqual(self.sub.call("events.subscribe"), {"subscribed": True})

    def expect(self, event, name, state, reason, after_reset=False):
        p = self.sub.next_notification()["params"]
        while after_reset and p["event"] == "reset":  # the firmware's own reset after ours
            p = self.sub.next_notification()["params"]
        self.assertEqual((p["event"], p["name"], p["state"], p["reason"]), (event, name, state, reason))
        return p

    def test_every_state_change_is_announced(self):
        vm = self.call("vm.create", {"name": "ev"})
        self.assertEqual(self.expect("defined", "ev", "shut off", "defined")["uuid"], vm["uuid"])
        self.call("vm.start", {"vm": "ev"})
        self.expect("started", "ev", "running", "booted")
        con, _ = self.console("ev")
        con.read_until(MARKER)
        self.call("vm.pause", {"vm": "ev"})
        self.expect("paused", "ev", "paused", "user")
        self.call("vm.resume", {"vm": "ev"})
        self.expect("resumed", "ev", "running", "user")
        self.call("vm.reboot", {"vm": "ev", "mode": "reset"})
        self.expect("reset", "ev", "running", "reset")
        con.buf = b""
        con.read_until(MARKER)
        self.call("vm.shutdown", {"vm": "ev"})
        self.expect("shutdown_requested", "ev", "in shutdown", "user", after_reset=True)
        self.expect("stopped", "ev", "shut off", "shutdown")
        started = self.call("vm.start", {"vm": "ev"})
        self.expect("started", "ev", "running", "booted")
        os.kill(started["pid"], signal.SIGKILL)
        self.assertIn("signal 9", self.expect("crashed", "ev", "crashed", "crashed")["detail"])
        self.call("vm.delete", {"vm": "ev"})
        self.expect("undefined", "ev", "crashed", "crashed")

    def test_failed_start_and_stop(self):
        self.call("vm.create", {"name": "bad", "kernel": "/bin/true"})
        self.expect("defined", "bad", "shut off", "defined")
        with self.assertRaises(Exception):
            self.call("vm.start", {"vm": "bad"})
        self.assertIn("QEMU", self.expect("stopped", "bad", "shut off", "failed")["detail"])
        self.call("vm.create", {"name": "s"})
        self.expect("defined", "s", "shut off", "defined")
        self.call("vm.start", {"vm": "s"})
        self.expect("started", "s", "running", "booted")
        self.call("vm.stop", {"vm": "s"})
        self.expect("stopped", "s", "shut off", "destroyed")

    def test_slow_subscriber_is_cut_off_with_a_reason(self):
        lazy = self.hostd.client()
        lazy.call("events.subscribe")  # ... and never reads again while events pile up
        fast = self.hostd.client()
        for i in range(4000):  # about 2 MiB of notifications
            fast.call("vm.create", {"name": f"v{i}", "kernel": "/bin/true"})
            fast.call("vm.delete", {"vm": f"v{i}"})
        lines = lazy.read_all().split(b"\n")
        self.assertIn(b'"events.overflow"', lines[-2])  # the last line, then hostd closed
        self.assertEqual(self.call("vm.list"), {"vms": []})  # hostd lives on
        self.sub.close()

    def test_no_notification_in_a_console_stream(self):
        """After vm.console's reply the connection carries the guest's bytes and no more JSON-RPC
        (the contract), also on a connection that subscribed before."""
        self.call("vm.create", {"name": "con"})
        self.call("vm.start", {"vm": "con"})
        self.sub.call("vm.console", {"vm": "con", "write": False})  # self.sub has subscribed
        self.sub.read_until(MARKER)
        self.call("vm.stop", {"vm": "con"})  # a state change while the console is attached
        stream = self.sub.read_all()  # until hostd closes it: the VM stopped
        json_lines = [line for line in stream.split(b"\n") if b'"jsonrpc"' in line]
        self.assertEqual(json_lines, [], "JSON-RPC inside the console byte stream")

    def test_vmctl_events(self):
        p = subprocess.Popen([VMCTL, "--socket", self.hostd.sock, "events"], stdout=subprocess.PIPE, text=True)
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        # vmctl subscribes at some point after it starts: define VMs until it reports one.
        deadline = time.monotonic() + 30
        for i in range(1000):
            self.call("vm.create", {"name": f"seen{i}", "kernel": "/bin/true"})
            if select.select([p.stdout], [], [], 0.2)[0] or time.monotonic() > deadline:
                break
        line = p.stdout.readline()
        self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z seen\d+ defined \(shut off, defined\)\n$")
        self.call("vm.delete", {"vm": "seen0"})
        self.assertRegex(p.stdout.readline(), r" seen0 undefined \(shut off, defined\)\n$")


class Autostart(HostdTestCase):
    def test_autostart_once_per_boot(self):
        if not GUEST_DIR:
            self.fail("GUEST_DIR is not set")
        self.call("vm.create", {"name": "auto", "autostart": True})
        self.call("vm.create", {"name": "manual"})
        self.call("vm.create", {"name": "later"})
        self.assertTrue(self.call("vm.autostart", {"vm": "later", "enabled": True})["autostart"])
        self.call("vm.autostart", {"vm": "later", "enabled": False})
        self.hostd.stop()
        shutil.rmtree(self.hostd.run)  # what a reboot does to /run
        self.hostd.start()
        deadline = time.monotonic() + 60  # autostart runs as hostd starts; a start takes a moment
        while self.call("vm.info", {"vm": "auto"})["state"] != "running" and time.monotonic() < deadline:
            time.sleep(0.05)  # poll interval, bounded by the deadline
        states = {v["name"]: v["state"] for v in self.call("vm.list")["vms"]}
        self.assertEqual(states, {"auto": "running", "manual": "shut off", "later": "shut off"})
        self.assertIn("autostart: starting VM 'auto'", self.hostd.log_text())
        self.call("vm.stop", {"vm": "auto"})
        self.hostd.stop()
        self.hostd.start()  # same boot: not again
        self.assertEqual(self.call("vm.info", {"vm": "auto"})["state"], "shut off")


if __name__ == "__main__":
    main()
