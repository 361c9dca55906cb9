#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-rpc (tests/fuzz/corpus-rpc/): valid requests for every method of
protocols/hostd-api.json, sequences that define, start and delete VMs, batches, notifications,
and malformed input (broken JSON, deep nesting, big numbers, unicode, duplicate keys, NUL bytes,
CR LF, a line over the cap the fuzzer also tries). Each seed is one or more request lines.

The fuzz target starts every input with VMs 'a' (the default guest) and 'b' (its own kernel,
initrd and disk), see BASE_* in fuzz-rpc.c; /etc/passwd stands for a readable kernel file.

usage: make-corpus-rpc.py [OUT_DIR]     (default: corpus-rpc beside this script)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
API = os.path.join(HERE, "..", "..", "protocols", "hostd-api.json")
BASE_A_UUID = "11111111-2222-4333-8444-555555555555"
BASE_B_UUID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
FILE = "/etc/passwd"


def req(method, params=None, id=1, **extra):
    r = {"jsonrpc": "2.0", "method": method}
    if id is not None:
        r["id"] = id
    if params is not None:
        r["params"] = params
    r.update(extra)
    return r


def line(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def lines(*objs):
    return b"".join(o if isinstance(o, bytes) else line(o) for o in objs)


def valid_value(schemas, schema, name):
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema:
        return schema["enum"][-1]
    t = schema.get("type")
    if name == "vm":
        return "a"
    if name == "name":
        return "n-1.x_y"
    if t == "integer":
        return schema.get("default", schema.get("minimum", 1))
    if t == "boolean":
        return not schema.get("default", False)
    if t == "array":
        return [FILE]
    if schema.get("pattern") == "^/":
        return FILE
    return "console=ttyS0"


def seeds(api):
    schemas = api["components"]["schemas"]
    out = {}
    n = 1
    for m in api["methods"]:
        params = {p["name"]: valid_value(schemas, p["schema"], p["name"]) for p in m["params"]}
        required = {p["name"]: params[p["name"]] for p in m["params"] if p.get("required")}
        if m["name"] == "vm.create":
            params.pop("initrd", None)
            params["kernel"] = FILE
            params["initrd"] = FILE
        out[f"method-{m['name']}-all-params"] = lines(req(m["name"], params, n))
        out[f"method-{m['name']}-required"] = lines(req(m["name"], required or None, n + 1))
        out[f"method-{m['name']}-notification"] = lines(req(m["name"], required or {}, None))
        if any(p["name"] == "vm" for p in m["params"]):
            out[f"method-{m['name']}-by-uuid"] = lines(req(m["name"], dict(required, vm=BASE_B_UUID), 7))
            out[f"method-{m['name']}-unknown-vm"] = lines(req(m["name"], dict(required, vm="nope"), 8))
        out[f"method-{m['name']}-unknown-param"] = lines(req(m["name"], dict(required, bogus=1), 9))
        n += 2

    out["seq-define-start-stop-delete"] = lines(
        req("events.subscribe", id=1),
        req("vm.create", {"name": "x", "kernel": FILE, "memory_mib": 64}, 2),
        req("vm.info", {"vm": "x"}, 3),
        req("vm.autostart", {"vm": "x", "enabled": True}, 4),
        req("vm.start", {"vm": "x"}, 5),
        req("vm.stop", {"vm": "x"}, 6),
        req("vm.list", id=7),
        req("vm.delete", {"vm": "x"}, 8),
        req("vm.delete", {"vm": "x"}, 9))
    out["seq-start-twice-then-stop"] = lines(
        req("vm.start", {"vm": "a"}, 1), req("vm.start", {"vm": "a"}, 2), req("vm.stop", {"vm": "a"}, 3),
        req("vm.pause", {"vm": "a"}, 4), req("vm.delete", {"vm": "a"}, 5))
    out["seq-start-default-guest-and-b"] = lines(
        req("vm.start", {"vm": "a"}, 1), req("vm.start", {"vm": "b"}, 2), req("host.info", id=3))
    out["seq-console-while-starting"] = lines(
        req("events.subscribe", id=1), req("vm.start", {"vm": "a"}, 2),
        req("vm.console", {"vm": "a", "write": True}, 3), b"typed into the console\n")
    out["seq-console-no-follow"] = lines(
        req("vm.console", {"vm": "a", "follow": False, "replay": True}, 1), req("vm.list", id=2))
    out["seq-shutdown-reboot-resume-shut-off"] = lines(
        req("vm.shutdown", {"vm": "a", "wait": True, "force": True, "timeout": 1}, 1),
        req("vm.reboot", {"vm": "a", "mode": "reset"}, 2), req("vm.resume", {"vm": "a"}, 3))
    out["seq-create-duplicate-and-limits"] = lines(
        req("vm.create", {"name": "a"}, 1),
        req("vm.create", {"name": "m", "memory_mib": 16, "vcpus": 64, "disks": [FILE] * 8}, 2),
        req("vm.create", {"name": "m2", "disks": [FILE] * 9}, 3),
        req("vm.create", {"name": "m3", "initrd": FILE}, 4),
        req("vm.create", {"name": "m4", "kernel": "/nonexistent/vmlinuz"}, 5),
        req("vm.create", {"name": "m5", "kernel": "/dev/null"}, 6),
        req("vm.create", {"name": "m6", "kernel": "relative/path"}, 7),
        req("vm.create", {"name": "-bad"}, 8),
        req("vm.create", {"name": "x" * 65}, 9),
        req("vm.create", {"name": BASE_A_UUID}, 10))

    out["batch-mixed"] = lines([
        req("host.info", id=1), req("vm.list", id=None), req("nope", id=2), 5, [], {},
        req("vm.info", {"vm": "b"}, "s"), req("vm.start", {"vm": "a"}, 3),
        req("vm.console", {"vm": "a"}, 4)])
    out["batch-notifications-only"] = lines([req("vm.list", id=None), req("host.info", id=None)])
    out["batch-empty"] = b"[]\n"
    out["batch-nested"] = b"[[]]\n[[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vm.list\"}]]\n"
    out["batch-of-scalars"] = b"[1,\"x\",null,true,1.5]\n"
    out["batch-create-delete"] = lines([
        req("vm.create", {"name": "p"}, 1), req("vm.create", {"name": "p"}, 2),
        req("vm.delete", {"vm": "p"}, 3), req("vm.start", {"vm": "b"}, 4), req("vm.stop", {"vm": "b"}, 5)])

    out["ids"] = lines(
        req("vm.list", id=None), req("vm.list", id="str"), req("vm.list", id=1.5), req("vm.list", id=-1),
        b'{"jsonrpc":"2.0","id":null,"method":"vm.list"}\n',
        b'{"jsonrpc":"2.0","id":{},"method":"vm.list"}\n',
        b'{"jsonrpc":"2.0","id":[1],"method":"vm.list"}\n',
        b'{"jsonrpc":"2.0","id":true,"method":"vm.list"}\n',
        b'{"jsonrpc":"2.0","id":1e400,"method":"vm.list"}\n',
        b'{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"vm.list"}\n')
    out["envelope"] = (b'{"id":1,"method":"vm.list"}\n{"jsonrpc":"1.0","id":1,"method":"vm.list"}\n'
                       b'{"jsonrpc":2.0,"id":1,"method":"vm.list"}\n{"jsonrpc":"2.0","id":1}\n'
                       b'{"jsonrpc":"2.0","id":1,"method":7}\n{"jsonrpc":"2.0","id":1,"method":"vm.list","params":[]}\n'
                       b'{"jsonrpc":"2.0","id":1,"method":"vm.list","params":null}\n'
                       b'{"jsonrpc":"2.0","id":1,"method":"vm.list","params":"x"}\n'
                       b'{"jsonrpc":"2.0","id":1,"method":"vm.info","params":{"vm":""}}\n'
                       b'{"jsonrpc":"2.0","id":1,"method":"vm.info","params":{"vm":5}}\n'
                       b'{"jsonrpc":"2.0","id":1,"method":"vm.list","extra":true}\n')
    out["broken-json"] = (b'{\n{"jsonrpc":"2.0"\nnot json\n{"jsonrpc":"2.0","id":1,"method":"vm.list"} x\n'
                          b'{"jsonrpc":"2.0","id":1,"method":"vm.list"}{}\n'
                          b"{'jsonrpc':'2.0','id':1,'method':'vm.list'}\n"
                          b'{"jsonrpc":"2.0","id":1,"method":"vm.list",}\n'
                          b'/* c */{"jsonrpc":"2.0","id":1,"method":"vm.list"}\n'
                          b'[{"jsonrpc":"2.0","id":1,"method":"vm.list"},\n'
                          b'nul\ntru\n"unterminated\n-\n1.\n.5\n01\n+1\n0x10\nNaN\nInfinity\n')
    out["nul-and-control"] = (b'{"jsonrpc":"2.0","id":1,"method":"vm.list"}\x00\n'
                              b'{"jsonrpc":"2.0","id":1,"method":"vm.list\\u0000x"}\n'
                              b'{"jsonrpc":"2.0","id":1,"method":"vm.info","params":{"vm":"a\\u0000b"}}\n'
                              b'{"jsonrpc":"2.0","id":1,"method":"vm.create","params":{"name":"q","cmdline":"\\u0000"}}\n'
                              b'{"jsonrpc":"2.0","id":1,"method":"vm\x01.list"}\n')
    # One request each, so that the reply is known to answer it: neither may succeed.
    out["nul-in-method"] = b'{"jsonrpc":"2.0","id":"nul-method","method":"vm.list\\u0000x"}\n'
    out["nul-in-jsonrpc"] = b'{"jsonrpc":"2.0\\u0000x","id":"nul-jsonrpc","method":"vm.list"}\n'
    out["whitespace-and-crlf"] = (b'\n\r\n  \t \n{"jsonrpc":"2.0","id":1,"method":"vm.list"}\r\n'
                                  b' \t{ "jsonrpc" : "2.0" , "id" : 2 , "method" : "host.info" } \r\n'
                                  b'{"jsonrpc":"2.0","id":3,"method":"vm.list"}\r\r\n'
                                  b'{"jsonrpc":"2.0","id":4,"method":"vm.list"}')
    for depth in (62, 63, 64, 65, 200):
        for o, c in (("[", "]"), ('{"k":', "}")):
            kind = "arrays" if o == "[" else "objects"
            out[f"deep-{kind}-{depth}"] = (b'{"jsonrpc":"2.0","id":1,"method":"vm.list","params":{"x":'
                                           + (o * depth).encode() + b"1" + (c * depth).encode() + b"}}\n")
    out["deep-batch"] = b"[" * 70 + b"]" * 70 + b"\n"
    out["numbers"] = lines(
        req("vm.create", {"name": "n1", "memory_mib": 2 ** 63}, 1),
        b'{"jsonrpc":"2.0","id":2,"method":"vm.create","params":{"name":"n2","memory_mib":1e400}}\n',
        b'{"jsonrpc":"2.0","id":3,"method":"vm.create","params":{"name":"n3","memory_mib":-1e400}}\n',
        b'{"jsonrpc":"2.0","id":4,"method":"vm.create","params":{"name":"n4","memory_mib":9223372036854775807}}\n',
        b'{"jsonrpc":"2.0","id":5,"method":"vm.create","params":{"name":"n5","memory_mib":-9223372036854775809}}\n',
        b'{"jsonrpc":"2.0","id":6,"method":"vm.create","params":{"name":"n6","vcpus":1.0}}\n',
        b'{"jsonrpc":"2.0","id":7,"method":"vm.create","params":{"name":"n7","vcpus":1e0}}\n',
        b'{"jsonrpc":"2.0","id":8,"method":"vm.create","params":{"name":"n8","vcpus":-0}}\n',
        b'{"jsonrpc":"2.0","id":9,"method":"vm.shutdown","params":{"vm":"a","timeout":4294967297}}\n',
        b'{"jsonrpc":"2.0","id":10,"method":"vm.create","params":{"name":"n9","memory_mib":16,"vcpus":64}}\n',
        b'{"jsonrpc":"2.0","id":11,"method":"vm.create","params":{"name":"n10","memory_mib":1048577}}\n')
    out["unicode"] = lines(
        req("vm.create", {"name": "caf\u00e9"}, 1),
        req("vm.create", {"name": "u", "cmdline": "\u2603 \U0001F600 \u00e9\u0301"}, 2),
        req("vm.info", {"vm": "\U0001F600"}, 3),
        b'{"jsonrpc":"2.0","id":4,"method":"vm\\u002elist"}\n',
        b'{"jsonrpc":"2.0","id":5,"method":"vm.info","params":{"vm":"\\ud800"}}\n',
        b'{"jsonrpc":"2.0","id":6,"method":"vm.info","params":{"vm":"\\udc00\\ud800"}}\n',
        b'{"jsonrpc":"2.0","id":7,"method":"vm.info","params":{"vm":"\xff\xfe"}}\n',
        b'{"jsonrpc":"2.0","id":8,"method":"vm.info","params":{"vm":"\xc0\xaf"}}\n',
        b'{"jsonrpc":"2.0","id":9,"method":"vm.info","params":{"vm":"\xe2\x82"}}\n',
        b'{"jsonrpc":"2.0","id":"\xf0\x9f\x98\x80","method":"vm.list"}\n')
    out["duplicate-keys"] = (
        b'{"jsonrpc":"2.0","id":1,"id":2,"method":"vm.list"}\n'
        b'{"jsonrpc":"2.0","id":1,"method":"vm.list","method":"host.info"}\n'
        b'{"jsonrpc":"2.0","id":1,"method":"vm.info","params":{"vm":"a","vm":"b"}}\n'
        b'{"jsonrpc":"2.0","id":1,"method":"vm.create","params":{"name":"d","x":{"k":1,"k":2}}}\n'
        b'[{"jsonrpc":"2.0","id":1,"method":"vm.list"},{"a":1,"a":1}]\n'
        b'{"jsonrpc":"2.0","id":1,"method":"vm.info","params":{"vm":"a","v\\u006d":"b"}}\n'
        b'{"jsonrpc":"2.0","id":1,"method":"vm.list","params":{},"":1,"":2}\n'
        b'{"jsonrpc":"2.0","id":1,"method":"vm.list","params":{"a\\"b":1,"a\\"b":2}}\n')
    out["long-line-over-small-cap"] = line(req("vm.create", {"name": "long", "cmdline": "x" * 300}, 1)) + \
        line(req("vm.list", id=2))
    out["no-final-newline"] = b'{"jsonrpc":"2.0","id":1,"method":"vm.list"}\n{"jsonrpc":"2.0","id":2,"meth'
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus-rpc")
    with open(API, encoding="utf-8") as f:
        api = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        os.remove(os.path.join(out_dir, name))
    for name, data in sorted(seeds(api).items()):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(os.listdir(out_dir))} seeds to {out_dir}")


if __name__ == "__main__":
    main()
