#!/usr/bin/env python3
"""Real VMs through hostd: the default guest boots on QEMU (KVM when usable, else TCG), its
console works, and every power operation reaches the state the API promises."""
import os
import signal
import time

from harness import GUEST_DIR, MARKER, HostdTestCase, RpcError, main

BAD_STATE, BACKEND = 3, 6


def qemu_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


class Lifecycle(HostdTestCase):
    def setUp(self):
        if not GUEST_DIR or not os.path.exists(os.path.join(GUEST_DIR, "kernel")):
            self.fail(f"GUEST_DIR={GUEST_DIR!r} holds no default guest; build it first")
        super().setUp()

    def boot(self, name):
        """Start a VM and return a console client that has seen the guest's marker line."""
        vm = self.call("vm.start", {"vm": name})
        self.assertEqual((vm["state"], vm["reason"]), ("running", "booted"))
        self.assertTrue(qemu_alive(vm["pid"]))
        con, reply = self.console(name)
        con.read_until(MARKER)
        return vm, con

    def shell(self, con, command, expect):
        con.buf = b""
        con.sock.sendall(command.encode() + b"\n")
        con.read_until(expect.encode())

    def test_full_lifecycle(self):
        created = self.call("vm.create", {"name": "demo"})
        self.assertTrue(created["kernel"].startswith(GUEST_DIR))
        vm, con = self.boot("demo")
        self.shell(con, "echo hello-$((6*7))", "hello-42")

        self.assertEqual(self.call("vm.pause", {"vm": "demo"})["state"], "paused")
        self.assertRpcError(BAD_STATE, "vm.pause", {"vm": "demo"}, "it is paused")
        self.assertRpcError(BAD_STATE, "vm.start", {"vm": "demo"})
        self.assertRpcError(BAD_STATE, "vm.delete", {"vm": "demo"}, "cannot delete VM 'demo'")
        self.assertEqual(self.call("vm.resume", {"vm": "demo"})["state"], "running")
        self.shell(con, "echo resumed-$((1+1))", "resumed-2")

        off = self.call("vm.shutdown", {"vm": "demo", "wait": True, "timeout": 60})
        self.assertEqual((off["state"], off["reason"]), ("shut off", "shutdown"))
        self.assertNotIn("pid", off)
        self.assertFalse(qemu_alive(vm["pid"]))
        con.read_all()  # the console closes when the VM stops

        vm2, con2 = self.boot("demo")
        self.assertNotEqual(vm2["pid"], vm["pid"])
        stopped = self.call("vm.stop", {"vm": "demo"})
        self.assertEqual((stopped["state"], stopped["reason"]), ("shut off", "destroyed"))
        self.assertFalse(qemu_alive(vm2["pid"]))
        self.call("vm.delete", {"vm": "demo"})
        self.assertEqual(self.call("vm.list"), {"vms": []})

    def test_console_replay_and_no_attach(self):
        self.call("vm.create", {"name": "c"})
        vm, con = self.boot("c")
        late, reply = self.console("c", follow=False)
        self.assertGreater(reply["replayed"], 0)
        self.assertIn(MARKER, late.read_all())  # printed before this client attached
        reader, _ = self.console("c", write=False)  # readers never conflict
        with self.assertRaises(RpcError) as cm:
            self.console("c", write=True)  # the first console still writes
        self.assertEqual(cm.exception.code, 5)
        taker, _ = self.console("c", write=True, force=True)
        self.shell(taker, "echo taken-over", "taken-over")
        reader.read_until(b"taken-over")  # every reader sees the same output

    def test_two_vms_at_once(self):
        for name in ("one", "two"):
            self.call("vm.create", {"name": name, "memory_mib": 192})
        a, con_a = self.boot("one")
        b, con_b = self.boot("two")
        self.shell(con_a, "echo from-one", "from-one")
        self.shell(con_b, "echo from-two", "from-two")
        self.assertNotIn(b"from-two", con_a.buf)
        running = [v["name"] for v in self.call("vm.list")["vms"] if v["state"] == "running"]
        self.assertEqual(running, ["one", "two"])
        self.call("vm.stop", {"vm": "one"})
        self.assertEqual(self.call("vm.info", {"vm": "two"})["state"], "running")
        self.call("vm.stop", {"vm": "two"})

    def test_reboot(self):
        self.call("vm.create", {"name": "r"})
        vm, con = self.boot("r")
        con.buf = b""
        self.assertEqual(self.call("vm.reboot", {"vm": "r", "mode": "reset"})["reason"], "reset")
        con.read_until(MARKER)
        con.buf = b""
        self.call("vm.reboot", {"vm": "r"})  # ACPI: the guest powers off, hostd restarts it
        con.read_until(MARKER)
        info = self.call("vm.info", {"vm": "r"})
        self.assertEqual((info["state"], info["pid"]), ("running", vm["pid"]))

    def test_hostd_restart_keeps_running_vms(self):
        vms = {}
        for name in ("keep", "also"):
            self.call("vm.create", {"name": name, "memory_mib": 192})
            vms[name], con = self.boot(name)
            con.close()
        self.call("vm.pause", {"vm": "also"})
        self.assertEqual(self.hostd.stop(), 0)
        for vm in vms.values():
            self.assertTrue(qemu_alive(vm["pid"]), "hostd's clean exit killed a VM")
        self.hostd.start()
        self.assertEqual(self.call("vm.info", {"vm": "keep"})["state"], "running")
        self.hostd.stop(signal.SIGKILL)
        for vm in vms.values():
            self.assertTrue(qemu_alive(vm["pid"]), "kill -9 of hostd killed a VM")
        self.hostd.start()
        for name, state in (("keep", "running"), ("also", "paused")):
            info = self.call("vm.info", {"vm": name})
            self.assertEqual((info["state"], info["pid"]), (state, vms[name]["pid"]))
            late, _ = self.console(name, follow=False)
            self.assertIn(MARKER, late.read_all())  # output from before the restarts
        self.call("vm.resume", {"vm": "also"})
        for name in vms:
            con, _ = self.console(name)
            self.shell(con, f"echo still-{name}", f"still-{name}")
            off = self.call("vm.shutdown", {"vm": name, "wait": True})
            self.assertEqual(off["reason"], "shutdown")

    def test_qemu_killed_behind_hostds_back_is_crashed(self):
        self.call("vm.create", {"name": "k"})
        vm, con = self.boot("k")
        os.kill(vm["pid"], signal.SIGKILL)
        con.read_all()  # the console closes when hostd sees QEMU go
        info = self.call("vm.info", {"vm": "k"})
        self.assertEqual((info["state"], info["reason"]), ("crashed", "crashed"))
        self.assertIn("signal 9", info["error"])
        self.assertEqual(self.call("vm.start", {"vm": "k"})["state"], "running")
        self.call("vm.stop", {"vm": "k"})

    def test_operations_on_one_vm_wait_their_turn(self):
        self.call("vm.create", {"name": "q"})
        c = self.hostd.client()
        # One write, two requests: the pause arrives while the start is still in progress.
        c.sock.sendall(b'{"jsonrpc":"2.0","id":1,"method":"vm.start","params":{"vm":"q"}}\n'
                       b'{"jsonrpc":"2.0","id":2,"method":"vm.pause","params":{"vm":"q"}}\n')
        replies = {r["id"]: r for r in (c.read_line(), c.read_line())}
        self.assertEqual(replies[1]["result"]["state"], "running")
        self.assertEqual(replies[2]["result"]["state"], "paused")
        self.assertEqual(self.call("vm.info", {"vm": "q"})["state"], "paused")
        self.call("vm.stop", {"vm": "q"})

    def test_start_failure_reports_qemu_error(self):
        self.call("vm.create", {"name": "bad", "kernel": "/bin/true"})  # not a kernel
        e = self.assertRpcError(BACKEND, "vm.start", {"vm": "bad"}, "cannot start VM 'bad'")
        self.assertIn("qemu", e.message.lower())
        info = self.call("vm.info", {"vm": "bad"})
        self.assertEqual((info["state"], info["reason"]), ("shut off", "failed"))
        self.assertEqual(info["error"] in e.message, True)


if __name__ == "__main__":
    main()
