#!/usr/bin/env python3
"""Connects to a user manager socket as systemctl --user does and prints
what systemd's client checks (SO_PEERCRED: pid must be non-zero, uid root
or ours). Then, as sd-bus may, sends auth and two messages back to back,
the second with an fd, and prints the manager's answer (see
fake_user_manager.py) and the fd that came with it.

Usage: manager_client.py SOCKET
"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dbus_wire  # noqa: E402


def main():
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(10)
    c.connect(sys.argv[1])
    pid, uid, _gid = struct.unpack(
        "3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    print("client sees uid=%d pid=%d" % (uid, pid), flush=True)
    c.sendall(b"\0AUTH EXTERNAL %s\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n"
              % str(os.getuid()).encode().hex().encode())
    r, w = os.pipe()
    os.write(w, b"from-client\n")
    os.close(w)
    # Back to back: a relay that reads both at once must still keep the
    # fd with the second.
    dbus_wire.send(c, dbus_wire.message(1, b"first"))
    dbus_wire.send(c, dbus_wire.message(2, b"second"), [r])
    os.close(r)
    for _ in range(2):
        dbus_wire.recv_line(c)
    body, fds = dbus_wire.recv_message(c)
    sys.stdout.write(body.decode())
    for fd in fds:
        with os.fdopen(fd) as f:
            print("passed back=" + f.readline().strip())


if __name__ == "__main__":
    main()
