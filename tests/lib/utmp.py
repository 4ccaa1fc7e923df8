#!/usr/bin/python3
"""utmp/wtmp records for the tests, in glibc's layout (384 bytes).

  utmp.py show FILE                  one line per record: TYPE USER LINE PID
  utmp.py add FILE USER LINE PID     appends a USER_PROCESS record, as a
                                     login or utempter writes it
"""
import struct
import sys
import time

FMT = "<hxxi32s4s32s256shhiii16s20s"
SIZE = struct.calcsize(FMT)
assert SIZE == 384
TYPES = {7: "USER_PROCESS", 8: "DEAD_PROCESS"}


def show(path):
    with open(path, "rb") as f:
        data = f.read()
    for off in range(0, len(data) - SIZE + 1, SIZE):
        (typ, pid, line, _id, user, _host, _t, _e, _s, _sec, _usec, _a,
         _r) = struct.unpack_from(FMT, data, off)
        print(TYPES.get(typ, str(typ)), user.rstrip(b"\0").decode() or "-",
              line.rstrip(b"\0").decode() or "-", pid)


def add(path, user, line, pid):
    now = time.time()
    rec = struct.pack(FMT, 7, int(pid), line.encode(), line[-4:].encode(),
                      user.encode(), b"test", 0, 0, 0, int(now),
                      int((now % 1) * 1e6), b"", b"")
    with open(path, "ab") as f:
        f.write(rec)


if __name__ == "__main__":
    if sys.argv[1] == "show":
        show(sys.argv[2])
    elif sys.argv[1] == "add":
        add(*sys.argv[2:6])
    else:
        sys.exit(__doc__)
