"""Error cases against the server, with python3-libnbd's strictness turned off so the requests
reach the server and its replies are what is checked. Prints one JSON object: case -> outcome,
where an outcome is "ok", the errno name of the NBD error the server replied with, "disconnected"
when the connection was closed (or is already dead), or "wrong data"."""
import errno
import json
import sys

import nbd

rw_uri, ro_uri = sys.argv[1], sys.argv[2]
results = {}


def connect(uri):
    h = nbd.NBD()
    h.set_strict_mode(0)  # send everything; the server decides
    h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    h.connect_uri(uri)
    return h


def outcome(name, action):
    try:
        action()
        results[name] = "ok"
    except AssertionError as e:
        results[name] = "wrong data: " + str(e)
    except nbd.Error as e:
        # errnum is the number (errno is libnbd's name for it)
        dead = "handle is dead" in (e.string or "") or "invalid state" in (e.string or "")
        if dead or e.errnum in (None, 0, errno.ECONNRESET, errno.EPIPE, errno.ENOTCONN):
            results[name] = "disconnected: " + (e.string or "")
        else:
            results[name] = errno.errorcode.get(e.errnum, str(e.errnum))


def expect(h, offset, data):
    got = h.pread(len(data), offset)
    assert got == data, f"{len(data)} bytes at {offset} differ"


a = connect(rw_uri)
size = a.get_size()
results["size"] = size
pattern = bytes([0x5A]) * 65536
outcome("write and flush", lambda: (a.pwrite(pattern, 0), a.flush()))
outcome("read past the end", lambda: a.pread(4096, size - 512))
outcome("read starting past the end", lambda: a.pread(512, size + 4096))
outcome("write past the end", lambda: a.pwrite(bytes(4096), size - 512))
outcome("zero past the end", lambda: a.zero(4096, size - 512))
outcome("trim past the end", lambda: a.trim(4096, size))
outcome("block status past the end", lambda: a.block_status(4096, size, lambda *args: 0))
outcome("read with an unknown flag", lambda: a.pread(512, 0, 0x40))
outcome("write with a flag reserved for block status", lambda: a.pwrite(bytes(512), 0, nbd.CMD_FLAG_REQ_ONE))
outcome("fast zero (not offered)", lambda: a.zero(512, 0, nbd.CMD_FLAG_FAST_ZERO))
outcome("read after the errors", lambda: expect(a, 0, pattern))

ro = connect(ro_uri)
results["read-only flag"] = "ok" if ro.is_read_only() else "missing"
outcome("write to a read-only export", lambda: ro.pwrite(bytes(512), 0))
outcome("zero on a read-only export", lambda: ro.zero(512, 0))
outcome("trim on a read-only export", lambda: ro.trim(512, 0))
outcome("read from a read-only export", lambda: ro.pread(512, 0))

# An oversized write (more than the 32 MiB maximum payload) closes that connection only.
b = connect(rw_uri)
outcome("oversized write", lambda: b.pwrite(bytes(48 << 20), 0))
outcome("request after the oversized write", lambda: b.pread(512, 0))
outcome("other connection still reads its flushed write", lambda: expect(a, 0, pattern))
c = connect(rw_uri)
outcome("new connection reads the flushed write", lambda: expect(c, 0, pattern))
for h in (a, c, ro):
    h.shutdown()
print(json.dumps(results))
