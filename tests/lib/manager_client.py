#!/usr/bin/env python3
"""Connects to a user manager socket as systemctl --user does and prints
what systemd's client checks (SO_PEERCRED: pid must be non-zero, uid
root or ours), then exchanges a message and an fd both ways.

Usage: manager_client.py SOCKET
"""
import array
import os
import socket
import struct
import sys


def main():
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(10)
    c.connect(sys.argv[1])
    pid, uid, _gid = struct.unpack(
        "3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    print("client sees uid=%d pid=%d" % (uid, pid))
    r, w = os.pipe()
    os.write(w, b"from-client\n")
    os.close(w)
    c.sendmsg([b"hello"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                            array.array("i", [r]))])
    os.close(r)
    data, anc, _flags, _addr = c.recvmsg(4096, socket.CMSG_SPACE(4))
    sys.stdout.write(data.decode())
    for level, kind, raw in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            for fd in array.array("i", raw[:len(raw) - len(raw) % 4]):
                with os.fdopen(fd) as f:
                    print("passed back=" + f.readline().strip())


if __name__ == "__main__":
    main()
