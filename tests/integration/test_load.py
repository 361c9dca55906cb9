#!/usr/bin/env python3
"""hostd under load: 200 clients at once while VMs start and stop; clients that stall, never read
or send a huge batch must not hold up anyone else; the limit of 1024 clients."""
import json
import os
import resource
import signal
import socket
import threading
import time

from harness import CONTRACT, GUEST_DIR, Client, Hostd, HostdTestCase, main

READERS = 200           # concurrent clients, each on its own connection
READER_MIN_CALLS = 5    # each reader makes at least this many calls
VM_CYCLES = 3           # start and stop both VMs this many times under the readers
NOT_BLOCKED_S = 5.0     # one round trip of an innocent client: "not blocked", not a benchmark
CALL_TIMEOUT_S = 60     # a reply that takes longer is a hang
MAX_CLIENTS = 1024      # docs/hostd.md, Limits
OUTPUT_CAP = 8 << 20    # a client's unread output (docs/hostd.md, Limits)
RESOURCE_EXHAUSTED = 5
NOFILE_WANTED = 4096    # the test process holds MAX_CLIENTS + 1 sockets
SYSTEMD_NOFILE = 1024   # the soft RLIMIT_NOFILE systemd gives a service without LimitNOFILE=


class LoadClient(Client):
    """harness.Client that waits while hostd's listen backlog (128) is full, which it is when
    hundreds of clients connect at once."""

    def __init__(self, path, timeout=CALL_TIMEOUT_S):
        super().__init__(path, timeout, wait_for_backlog=True)


def raise_nofile(want=NOFILE_WANTED):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))


def vm_rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


class Load(HostdTestCase):
    def setUp(self):
        raise_nofile()  # before hostd starts: it inherits the limit
        super().setUp()
        self.pid = self.hostd.proc.pid
        # Beside the socket by default, mode 0666: what any local user can reach.
        self.ro_sock = os.path.join(os.path.dirname(self.hostd.sock), "hostd-ro.sock")

    def connect(self):
        c = LoadClient(self.hostd.sock)
        self.hostd.clients.append(c)  # closed by cleanup
        return c

    def assertExitsCleanly(self):
        """hostd exits 0 on SIGTERM; under ASan a leak or an error report makes that non-zero."""
        code = self.hostd.stop()
        self.assertEqual(code, 0, f"hostd exited with {code}; its log:\n{self.hostd.log_text()[-6000:]}")

    def round_trips_while(self, busy, client, deadline_s=120):
        """Round trips of an innocent client until busy() turns false; their durations."""
        times = []
        deadline = time.monotonic() + deadline_s
        while busy() or not times:
            if time.monotonic() > deadline:
                self.fail(f"the disturbance did not end within {deadline_s} s")
            t0 = time.monotonic()
            client.call("host.info")
            times.append(time.monotonic() - t0)
        return times

    def round_trips_during_batch(self, batch_line):
        """A new read-only client sends batch_line and reads until a reply line comes or hostd
        closes it; meanwhile an innocent client's round trips, whose durations are returned."""
        batcher = LoadClient(self.ro_sock)
        self.hostd.clients.append(batcher)
        other = self.connect()
        other.call("host.info")
        done = threading.Event()

        def send():
            try:
                batcher.sock.sendall(batch_line)
                got = b"-"
                while got and b"\n" not in got:  # a reply line, or hostd closing on the hog
                    got = batcher.sock.recv(1 << 20)
            except OSError:
                pass
            finally:
                done.set()

        t = threading.Thread(target=send, daemon=True)
        t.start()
        times = self.round_trips_while(lambda: not done.is_set(), other)
        t.join(CALL_TIMEOUT_S)
        return times

    def assertNotBlocked(self, times, what):
        worst = max(times)
        self.assertLess(worst, NOT_BLOCKED_S,
                        f"{what}: another client's round trip took {worst:.2f} s "
                        f"({len(times)} round trips, bound {NOT_BLOCKED_S} s)")

    # ---- (a) many readers while VMs start and stop ----

    def test_200_readers_while_vms_start_and_stop(self):
        if not GUEST_DIR or not os.path.exists(os.path.join(GUEST_DIR, "kernel")):
            self.fail(f"GUEST_DIR={GUEST_DIR!r} holds no default guest; build it first")
        names = ["load-0", "load-1"]
        vms = {n: self.call("vm.create", {"name": n, "memory_mib": 64}) for n in names}
        uuids = {vm["uuid"]: n for n, vm in vms.items()}
        states = {("shut off", "defined"), ("running", "booted"), ("shut off", "destroyed")}
        go, stop = threading.Event(), threading.Event()
        ready = threading.Semaphore(0)
        errors, calls, worst = [], [0] * READERS, [0.0] * READERS

        def check_vm(vm, where):
            if vm["name"] in vms:
                if vm["uuid"] != vms[vm["name"]]["uuid"]:
                    raise AssertionError(f"{where}: {vm['name']} has uuid {vm['uuid']}")
                if (vm["state"], vm["reason"]) not in states:
                    raise AssertionError(f"{where}: unexpected state {vm['state']}/{vm['reason']}")

        def reader(i):
            c = None
            try:
                c = self.connect()
                ready.release()
                go.wait(CALL_TIMEOUT_S)
                k = 0
                while not stop.is_set() or k < READER_MIN_CALLS:
                    what = (i + k) % 4
                    t0 = time.monotonic()
                    if what == 0:
                        info = c.call("host.info")
                        if info["vms_defined"] != len(names) or info["vms_running"] > len(names):
                            raise AssertionError(f"host.info counts {info['vms_defined']} defined, "
                                                 f"{info['vms_running']} running")
                    elif what == 1:
                        got = c.call("vm.list")["vms"]
                        if sorted(v["name"] for v in got) != names:
                            raise AssertionError(f"vm.list names {[v['name'] for v in got]}")
                        for v in got:
                            check_vm(v, "vm.list")
                    else:
                        ref = names[k % 2] if what == 2 else list(uuids)[k % 2]
                        v = c.call("vm.info", {"vm": ref})
                        if ref not in (v["name"], v["uuid"]):
                            raise AssertionError(f"vm.info {ref} answered for {v['name']}")
                        check_vm(v, "vm.info")
                    worst[i] = max(worst[i], time.monotonic() - t0)
                    k += 1
                calls[i] = k
            except Exception as e:  # noqa: BLE001 - every failure is reported below
                errors.append(f"reader {i}: {e!r}")
                ready.release()

        threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(READERS)]
        for t in threads:
            t.start()
        for _ in range(READERS):
            self.assertTrue(ready.acquire(timeout=CALL_TIMEOUT_S), "readers did not connect")
        go.set()
        driver = self.connect()
        try:
            for _ in range(VM_CYCLES):
                for n in names:
                    vm = driver.call("vm.start", {"vm": n})
                    self.assertEqual((vm["state"], vm["reason"]), ("running", "booted"))
                for n in names:
                    vm = driver.call("vm.stop", {"vm": n})
                    self.assertEqual((vm["state"], vm["reason"]), ("shut off", "destroyed"))
        finally:
            stop.set()
            for t in threads:
                t.join(CALL_TIMEOUT_S)
        self.assertEqual(errors, [], f"{len(errors)} readers failed")
        self.assertFalse(any(t.is_alive() for t in threads), "a reader hangs")
        self.assertGreaterEqual(min(calls), READER_MIN_CALLS)
        print(f"\n{sum(calls)} calls by {READERS} clients, slowest {max(worst):.3f} s", flush=True)
        for vm in driver.call("vm.list")["vms"]:
            self.assertEqual((vm["state"], vm["reason"]), ("shut off", "destroyed"))
        self.assertExitsCleanly()

    # ---- (b) clients that stall must not hold up the others ----

    def test_half_a_line_does_not_block_others(self):
        staller = self.connect()
        staller.sock.sendall(b'{"jsonrpc":"2.0","id":7,"method":"vm.li')
        other = self.connect()
        times = [0.0]
        for _ in range(50):
            t0 = time.monotonic()
            other.call("vm.list")
            times.append(time.monotonic() - t0)
        self.assertNotBlocked(times, "a client stalled in the middle of a line")
        staller.sock.sendall(b'st"}\n')  # the half line was kept, not lost
        self.assertEqual(staller.read_line(), {"jsonrpc": "2.0", "id": 7, "result": {"vms": []}})
        self.assertExitsCleanly()

    def test_client_that_never_reads_is_dropped_without_blocking_others(self):
        # Big replies reach the cap quickly: 16 VMs of 4 KiB command lines make a vm.list ~70 KiB.
        for i in range(16):
            self.call("vm.create", {"name": f"big-{i:02d}", "cmdline": "x" * 4000})
        rss_before = vm_rss_kib(self.pid)
        hog = self.connect()
        state = {"dropped": False, "sent": 0, "error": None}
        request = b'{"jsonrpc":"2.0","id":1,"method":"vm.list"}\n' * 16

        def flood():
            deadline = time.monotonic() + 120
            try:
                while time.monotonic() < deadline:
                    hog.sock.sendall(request)  # and never a recv
                    state["sent"] += 16
            except (BrokenPipeError, ConnectionResetError):
                state["dropped"] = True
            except Exception as e:  # noqa: BLE001
                state["error"] = repr(e)

        t = threading.Thread(target=flood, daemon=True)
        t.start()
        other = self.connect()
        times = self.round_trips_while(t.is_alive, other)
        t.join()
        self.assertIsNone(state["error"])
        self.assertTrue(state["dropped"], f"hostd never dropped a client that sent {state['sent']} "
                        f"requests and read no reply")
        # What hostd kept for it is bounded by the cap (8 MiB), not by how much it asked for.
        self.assertGreater(state["sent"] * 70_000, OUTPUT_CAP, "the hog was dropped before the cap")
        self.assertNotBlocked(times, "a client that never reads its replies")
        grown = vm_rss_kib(self.pid) - rss_before
        self.assertLess(grown, 256 * 1024, f"hostd's RSS grew by {grown} KiB for one hog")
        self.assertEqual(len(other.call("vm.list")["vms"]), 16)
        self.assertExitsCleanly()

    def test_huge_batch_does_not_block_others(self):
        """A line of 1 MiB is allowed. As a batch of 524,000 invalid requests (sent on the
        read-only socket, open to every local user) it must cost hostd no more memory than
        parsing any 1 MiB line does, and not keep its loop from other clients for seconds."""
        n = ((1 << 20) - 100) // 2
        items = b",".join([b"1"] * n)
        single = b'{"jsonrpc":"2.0","id":1,"method":"vm.list","params":{"x":[' + items + b"]}}\n"
        batch = b"[" + items + b"]\n"
        self.assertLessEqual(max(len(single), len(batch)), 1 << 20)
        # What a 1 MiB line costs to parse (the build's allocator, sanitizers included).
        hwm0 = vm_rss_kib(self.pid, "VmHWM")
        c = self.connect()
        c.send_line(single)
        self.assertEqual(c.read_line()["error"]["code"], -32602)
        parse_cost = vm_rss_kib(self.pid, "VmHWM") - hwm0
        hwm1 = vm_rss_kib(self.pid, "VmHWM")
        times = self.round_trips_during_batch(batch)
        batch_cost = vm_rss_kib(self.pid, "VmHWM") - hwm1
        self.assertNotBlocked(times, f"a client that sent a batch of {n} requests")
        self.assertLess(batch_cost, parse_cost + 64 * 1024,
                        f"hostd's peak RSS grew by {batch_cost // 1024} MiB for a 1 MiB batch line; "
                        f"parsing a 1 MiB line costs {parse_cost // 1024} MiB")
        self.assertExitsCleanly()

    def test_batch_of_large_replies_is_bounded(self):
        """A small line can ask for a lot: 256 vm.list calls in one batch (13 KB, on the read-only
        socket) with 1,000 VMs defined are 256 replies of ~450 KB, all built before any is sent.
        hostd must bound what one batch holds (the unread-output cap of 8 MiB would drop such a
        client anyway) instead of building them all, and not keep other clients waiting."""
        n_vms = 1000
        c = self.connect()
        c.sock.sendall(b"".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "vm.create",
                                            "params": {"name": f"vm-{i:04d}"}}).encode() + b"\n"
                                for i in range(n_vms)))  # pipelined: one fsync'd create after another
        for _ in range(n_vms):
            self.assertIn("result", c.read_line())
        batch = json.dumps([{"jsonrpc": "2.0", "id": i, "method": "vm.list"} for i in range(256)])
        hwm0 = vm_rss_kib(self.pid, "VmHWM")
        times = self.round_trips_during_batch(batch.encode() + b"\n")
        grown = vm_rss_kib(self.pid, "VmHWM") - hwm0
        self.assertLess(grown, 256 * 1024, f"hostd's peak RSS grew by {grown // 1024} MiB for a "
                        f"batch of 256 vm.list calls with {n_vms} VMs defined")
        self.assertNotBlocked(times, f"a batch of 256 vm.list calls with {n_vms} VMs defined")
        self.assertExitsCleanly()

    # ---- (c) the connection limit ----

    def fill(self, sock_path, n):
        """n clients, each answered once (so hostd has accepted it, not just the kernel)."""
        clients = []
        for i in range(n):
            c = LoadClient(sock_path, timeout=10)
            clients.append(c)
            try:
                c.call("vm.list")
            except (TimeoutError, socket.timeout) as e:
                raise AssertionError(f"client {i + 1} of {n} got no reply in 10 s: hostd stopped "
                                     f"accepting (out of file descriptors?)") from e
        return clients

    def first_reply(self, sock_path):
        """Connect and call vm.list: (the reply, the client). A refused client's error is read
        even when hostd closed the connection before the request went out."""
        c = LoadClient(sock_path, timeout=10)
        try:
            c.send_line(b'{"jsonrpc":"2.0","id":1,"method":"vm.list"}')
        except (BrokenPipeError, ConnectionResetError):
            pass
        resp = c.read_line()
        CONTRACT.check_response("vm.list", resp)
        if "error" in resp:
            c.close()
        return resp, c

    def assertRefused(self, sock_path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock_path)
        s.settimeout(CALL_TIMEOUT_S)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        lines = data.splitlines()
        self.assertEqual(len(lines), 1, f"client {MAX_CLIENTS + 1} got {data!r}")
        resp = json.loads(lines[0])
        CONTRACT.check_response(None, resp)
        self.assertIsNone(resp["id"])
        self.assertEqual(resp["error"]["code"], RESOURCE_EXHAUSTED, resp)

    def check_limit(self, h):
        clients = self.fill(h.sock, MAX_CLIENTS)
        self.assertRefused(h.sock)  # the 1025th: error 5, then closed
        for c in clients[:10]:
            c.close()
        del clients[:10]
        # hostd sees those closes in its own time; a new client may race them, so the first is
        # tried until accepted (bounded), then nine more must be, and the next one is refused.
        deadline = time.monotonic() + 30
        while True:
            resp, c = self.first_reply(h.sock)
            if "result" in resp:
                clients.append(c)
                break
            self.assertEqual(resp["error"]["code"], RESOURCE_EXHAUSTED)
            self.assertLess(time.monotonic(), deadline, "no client accepted after 10 left")
        clients += self.fill(h.sock, 9)
        self.assertRefused(h.sock)
        self.assertEqual(clients[0].call("host.info")["vms_defined"], 0)
        for c in clients:
            c.close()

    def test_connection_limit(self):
        self.check_limit(self.hostd)
        self.assertExitsCleanly()

    def test_read_only_clients_cannot_lock_out_the_read_write_socket(self):
        """The read-only socket is mode 0666: whoever takes every client slot it gives must not
        keep the administrator (the read-write socket, group sekvm) out."""
        self.assertTrue(os.path.exists(self.ro_sock), f"no read-only socket at {self.ro_sock}")
        for i in range(MAX_CLIENTS + 1):  # until hostd refuses one
            resp, c = self.first_reply(self.ro_sock)
            if "error" in resp:
                self.assertEqual(resp["error"]["code"], RESOURCE_EXHAUSTED, resp)
                break
            self.hostd.clients.append(c)
        self.assertIn("error", resp, f"{MAX_CLIENTS + 1} read-only clients accepted")
        resp, admin = self.first_reply(self.hostd.sock)
        self.assertIn("result", resp, f"with {i} read-only clients connected, the read-write "
                      f"socket answers {resp}")
        admin.close()
        self.assertExitsCleanly()

    def test_out_of_descriptors_refuses_clearly_and_recovers(self):
        """With every descriptor in use, a new client gets error 5 saying why, at once (hostd
        keeps one spare descriptor for that), and hostd serves again as soon as some are free."""
        h = Hostd()
        h.start(nofile=48)
        try:
            clients, resp = [], None
            for _ in range(48):
                resp, c = self.first_reply(h.sock)
                if "error" in resp:
                    break
                clients.append(c)
            self.assertIn("error", resp, f"{len(clients)} clients accepted with 48 descriptors")
            self.assertEqual(resp["error"]["code"], RESOURCE_EXHAUSTED, resp)
            self.assertIn("file descriptors", resp["error"]["message"])
            self.assertGreater(len(clients), 20)
            resp, _ = self.first_reply(h.sock)  # refused again, not left waiting
            self.assertEqual(resp["error"]["code"], RESOURCE_EXHAUSTED, resp)
            for c in clients:
                c.close()
            # hostd sees those closes in its own time: try until served (bounded).
            deadline = time.monotonic() + 30
            while True:
                resp, c = self.first_reply(h.sock)
                c.close()
                if "result" in resp or time.monotonic() > deadline:
                    break
            self.assertIn("result", resp, f"still refused after every client left: {resp}")
            self.assertEqual(h.stop(), 0)
        except BaseException:
            print(f"--- log of the hostd with 48 descriptors ---\n{h.log_text()[-3000:]}")
            raise
        finally:
            h.cleanup()

    def test_connection_limit_with_systemds_default_nofile(self):
        """As a systemd service without LimitNOFILE=, hostd starts with a soft RLIMIT_NOFILE of
        1024: it must still serve 1024 clients and refuse the next with error 5."""
        h = Hostd()
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (SYSTEMD_NOFILE, hard))
        try:
            h.start()  # inherits the lower limit
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        try:
            self.check_limit(h)
            code = h.stop()
            self.assertEqual(code, 0, f"hostd exited with {code}")
        except BaseException:
            print(f"--- log of the hostd with RLIMIT_NOFILE {SYSTEMD_NOFILE} ---\n{h.log_text()[-3000:]}")
            raise
        finally:
            h.cleanup()


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    main()
