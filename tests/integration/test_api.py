#!/usr/bin/env python3
"""hostd's API over the real socket: framing, JSON-RPC rules, bad input (exact error code, and
nothing changed), definitions kept across restarts. No guest boots here."""
import os
import signal
import subprocess

from harness import CONTRACT, HOSTD, HostdTestCase, main

INVALID_PARAMS, NOT_FOUND, EXISTS, BAD_STATE = -32602, 1, 2, 3


class Framing(HostdTestCase):
    def test_partial_line_then_rest(self):
        c = self.hostd.client()
        c.sock.sendall(b'{"jsonrpc":"2.0","id":1,')
        c.sock.sendall(b'"method":"vm.list"}\n')
        self.assertEqual(c.read_line()["result"], {"vms": []})

    def test_several_messages_in_one_write(self):
        c = self.hostd.client()
        c.sock.sendall(b''.join(b'{"jsonrpc":"2.0","id":%d,"method":"vm.list"}\n' % i for i in range(5)))
        self.assertEqual(sorted(c.read_line()["id"] for _ in range(5)), [0, 1, 2, 3, 4])

    def test_line_over_1_mib_is_refused_and_closed(self):
        c = self.hostd.client()
        c.sock.sendall(b'{"jsonrpc":"2.0","id":1,"method":"vm.list","params":{"x":"' + b"a" * (1 << 20) + b'"}}\n')
        resp = c.read_line()
        self.assertEqual(resp["error"]["code"], -32600)
        self.assertIn("1 MiB", resp["error"]["message"])
        try:  # closed: the stream cannot be resynchronised (a reset, as the rest went unread)
            self.assertEqual(c.sock.recv(1), b"")
        except ConnectionResetError:
            pass
        self.assertEqual(self.call("vm.list"), {"vms": []})  # others are served

    def test_other_clients_are_served_while_one_stalls_mid_line(self):
        stalled = self.hostd.client()
        stalled.sock.sendall(b'{"jsonrpc":"2.0","id":1,"meth')
        self.assertEqual(self.call("vm.list"), {"vms": []})
        stalled.close()


class JsonRpc(HostdTestCase):
    def raw(self, data):
        c = self.hostd.client()
        c.send_line(data)
        return c.read_line()

    def test_malformed_json(self):
        r = self.raw(b'{"jsonrpc": "2.0", "method": ')
        self.assertEqual((r["error"]["code"], r["id"]), (-32700, None))

    def test_wrong_version(self):
        self.assertEqual(self.raw(b'{"jsonrpc":"1.0","id":1,"method":"vm.list"}')["error"]["code"], -32600)

    def test_method_not_a_string(self):
        self.assertEqual(self.raw(b'{"jsonrpc":"2.0","id":1,"method":5}')["error"]["code"], -32600)

    def test_unknown_method(self):
        r = self.raw(b'{"jsonrpc":"2.0","id":"x","method":"vm.explode"}')
        self.assertEqual((r["error"]["code"], r["id"]), (-32601, "x"))

    def test_params_must_be_an_object(self):
        r = self.raw(b'{"jsonrpc":"2.0","id":1,"method":"vm.info","params":["demo"]}')
        self.assertEqual(r["error"]["code"], INVALID_PARAMS)

    def test_empty_batch(self):
        self.assertEqual(self.raw(b"[]")["error"]["code"], -32600)

    def test_batch_and_notification(self):
        c = self.hostd.client()
        c.send_line(b'[{"jsonrpc":"2.0","id":1,"method":"vm.list"},{"jsonrpc":"2.0","method":"vm.list"},'
                    b'{"jsonrpc":"2.0","id":2,"method":"nope"},1]')
        replies = c.read_line()
        self.assertEqual(len(replies), 3)
        for r in replies:
            CONTRACT.check_response("vm.list", r)
        codes = sorted(r.get("error", {}).get("code", 0) for r in replies)
        self.assertEqual(codes, [-32601, -32600, 0])
        # A lone notification gets no reply: the next reply is for the next request.
        c.send_line(b'{"jsonrpc":"2.0","method":"vm.list"}')
        c.send_line(b'{"jsonrpc":"2.0","id":9,"method":"vm.list"}')
        self.assertEqual(c.read_line()["id"], 9)


class BadInput(HostdTestCase):
    def setUp(self):
        super().setUp()
        self.call("vm.create", {"name": "keep", "kernel": "/bin/true"})
        self.before = self.snapshot()

    def tearDown(self):
        try:
            self.assertEqual(self.snapshot(), self.before, "a failed request changed something")
        finally:
            super().tearDown()

    def test_wrong_types(self):
        for params in ({"name": 5}, {"name": "x", "memory_mib": "256"}, {"name": "x", "vcpus": 1.5},
                       {"name": "x", "autostart": "yes"}, {"name": "x", "disks": "/a"}):
            e = self.assertRpcError(INVALID_PARAMS, "vm.create", params)
            self.assertIn(e.data["param"], params)

    def test_missing_and_unknown_params(self):
        self.assertEqual(self.assertRpcError(INVALID_PARAMS, "vm.create", {}).data["param"], "name")
        self.assertEqual(self.assertRpcError(INVALID_PARAMS, "vm.start", {}).data["param"], "vm")
        e = self.assertRpcError(INVALID_PARAMS, "vm.info", {"vm": "keep", "colour": "red"})
        self.assertEqual(e.data["param"], "colour")

    def test_bad_names(self):
        for name in ("a/b", "..", "../etc", "", "-x", ".hidden", "x" * 65, "sp ace", "ü"):
            self.assertRpcError(INVALID_PARAMS, "vm.create", {"name": name, "kernel": "/bin/true"})

    def test_duplicate_name(self):
        self.assertRpcError(EXISTS, "vm.create", {"name": "keep", "kernel": "/bin/true"}, "VM 'keep' already exists")

    def test_missing_kernel_file(self):
        self.assertRpcError(NOT_FOUND, "vm.create", {"name": "x", "kernel": "/nonexistent/vmlinuz"},
                            "/nonexistent/vmlinuz")
        self.assertRpcError(INVALID_PARAMS, "vm.create", {"name": "x", "kernel": "relative/vmlinuz"})
        self.assertRpcError(INVALID_PARAMS, "vm.create", {"name": "x", "kernel": "/"}, "not a regular file")

    def test_absurd_sizes(self):
        for params in ({"memory_mib": 0}, {"memory_mib": 15}, {"memory_mib": 1 << 40}, {"vcpus": 0},
                       {"vcpus": 65}, {"vcpus": -1}, {"memory_mib": 10 ** 30}):
            self.assertRpcError(INVALID_PARAMS, "vm.create", {"name": "x", "kernel": "/bin/true", **params})

    def test_unknown_vm(self):
        for method in ("vm.info", "vm.start", "vm.stop", "vm.delete", "vm.pause", "vm.console"):
            self.assertRpcError(NOT_FOUND, method, {"vm": "ghost"}, "VM 'ghost' not found")

    def test_wrong_state(self):
        for method in ("vm.shutdown", "vm.stop", "vm.pause", "vm.resume", "vm.reboot"):
            e = self.assertRpcError(BAD_STATE, method, {"vm": "keep"}, "VM 'keep'")
            self.assertEqual(e.data["state"], "shut off")
        self.assertRpcError(BAD_STATE, "vm.console", {"vm": "keep"})


class Definitions(HostdTestCase):
    def test_create_info_list_delete(self):
        vm = self.call("vm.create", {"name": "web-1", "kernel": "/bin/true", "memory_mib": 128, "vcpus": 2,
                                     "cmdline": "console=ttyS0", "disks": ["/bin/sh"], "autostart": True})
        self.assertEqual((vm["state"], vm["reason"], vm["memory_mib"], vm["vcpus"]), ("shut off", "defined", 128, 2))
        self.assertEqual(self.call("vm.info", {"vm": vm["uuid"]}), vm)
        self.assertEqual(self.call("vm.info", {"vm": "web-1"}), vm)
        self.assertEqual(self.hostd.definitions(), [vm["uuid"] + ".json"])
        self.assertEqual(self.call("vm.list")["vms"], [vm])
        self.assertEqual(self.call("vm.delete", {"vm": "web-1"}), {"uuid": vm["uuid"], "name": "web-1"})
        self.assertEqual((self.hostd.definitions(), self.call("vm.list")), ([], {"vms": []}))

    def test_definitions_survive_restart_and_kill(self):
        a = self.call("vm.create", {"name": "a", "kernel": "/bin/true"})
        self.assertEqual(self.hostd.stop(), 0)
        self.hostd.start()
        self.assertEqual(self.call("vm.list")["vms"], [a])
        b = self.call("vm.create", {"name": "b", "kernel": "/bin/true"})
        self.hostd.stop(signal.SIGKILL)  # a success reply means it is on disk
        self.hostd.start()
        self.assertEqual(self.call("vm.list")["vms"], [a, b])

    def test_broken_definition_file_is_left_alone(self):
        self.call("vm.create", {"name": "good", "kernel": "/bin/true"})
        self.hostd.stop()
        bad = os.path.join(self.hostd.state, "vms", "00000000-0000-4000-8000-000000000000.json")
        with open(bad, "w") as f:
            f.write("{not json")
        self.hostd.start()
        self.assertEqual([v["name"] for v in self.call("vm.list")["vms"]], ["good"])
        self.assertTrue(os.path.exists(bad))
        self.assertIn("00000000-0000-4000-8000-000000000000.json", self.hostd.log_text())

    def test_host_info(self):
        info = self.call("host.info")
        self.assertIn(info["default_accel"], ("kvm", "tcg"))
        if os.environ.get("SEKVM_ACCEL") == "tcg":
            self.assertEqual(info["default_accel"], "tcg")
        if os.path.exists("/sys/module/kvm_pvm"):
            self.assertFalse(info["kvm"]["usable"])
            self.assertIn("kvm_pvm", info["kvm"]["reason"])


class Startup(HostdTestCase):
    def test_second_hostd_on_same_socket_refuses(self):
        h = self.hostd
        other = subprocess.run([HOSTD, "--state-dir", h.state, "--runtime-dir", h.run, "--socket", h.sock],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(other.returncode, 1)
        self.assertIn(f"another hostd is already listening on {h.sock}", other.stderr)
        self.assertEqual(self.call("vm.list"), {"vms": []})

    def test_stale_socket_is_replaced(self):
        self.hostd.stop(signal.SIGKILL)
        self.assertTrue(os.path.exists(self.hostd.sock))
        self.hostd.start()
        self.assertEqual(self.call("vm.list"), {"vms": []})




if __name__ == "__main__":
    main()
