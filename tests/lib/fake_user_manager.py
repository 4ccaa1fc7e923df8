#!/usr/bin/env python3
"""Stands in for systemd --user on a host without systemd: listens on
SOCKET (as the user who runs it) and speaks enough D-Bus framing to show
what a user manager would check and see. For every connection: reads the
client's NUL byte and auth lines up to BEGIN (answering OK and
AGREE_UNIX_FD), then two messages, and answers with one message:

  peer uid=U pid=P              (SO_PEERCRED of the connecting process,
                                 in this, the host's, PID namespace)
  msg1 fds=N body=B             (the fds that came with each message,
  msg2 fds=N body=B fd=TEXT      and the first line read from msg2's fd)
with an fd of a pipe that holds "from-manager" attached.

Usage: fake_user_manager.py SOCKET SECONDS
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dbus_wire  # noqa: E402


def serve(c):
    c.settimeout(10)
    pid, uid, _gid = struct.unpack(
        "3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    if c.recv(1) != b"\0":
        raise OSError("no leading NUL byte")
    while True:
        line = dbus_wire.recv_line(c)
        if line.startswith(b"AUTH"):
            c.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
        elif line.startswith(b"NEGOTIATE_UNIX_FD"):
            c.sendall(b"AGREE_UNIX_FD\r\n")
        elif line.startswith(b"BEGIN"):
            break
    report = ["peer uid=%d pid=%d" % (uid, pid)]
    for name in ("msg1", "msg2"):
        body, fds = dbus_wire.recv_message(c)
        text = "%s fds=%d body=%s" % (name, len(fds), body.decode())
        for fd in fds:
            with os.fdopen(fd) as f:
                text += " fd=" + f.readline().strip()
        report.append(text)
    r, w = os.pipe()
    os.write(w, b"from-manager\n")
    os.close(w)
    dbus_wire.send(c, dbus_wire.message(1, ("\n".join(report) + "\n").encode()), [r])
    os.close(r)


def main():
    path, seconds = sys.argv[1], float(sys.argv[2])
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    # Listening before the name appears: a test that waits for the name
    # never meets a socket that refuses connections.
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path + ".new")
    os.chmod(path + ".new", 0o600)
    s.listen(8)
    os.rename(path + ".new", path)
    s.settimeout(0.5)
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        try:
            serve(c)
        except (OSError, EOFError) as e:
            # One client that went away must not end the manager.
            print("fake_user_manager: %s" % e, file=sys.stderr)
        finally:
            c.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
