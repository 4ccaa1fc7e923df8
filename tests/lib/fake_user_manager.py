#!/usr/bin/env python3
"""Stands in for systemd --user on a host without systemd: listens on
SOCKET (as the user who runs it) and, for every connection, answers with
what a user manager would check and see:

  peer uid=U pid=P              (SO_PEERCRED of the connecting process,
                                 in this, the host's, PID namespace)
  got=TEXT fd=CONTENT           (the client's message, and the first line
                                 read from the fd it passed)
and passes back an fd of a pipe that holds "from-manager".

Usage: fake_user_manager.py SOCKET SECONDS
"""
import array
import os
import socket
import struct
import sys
import time


def serve(c):
    c.settimeout(10)
    pid, uid, _gid = struct.unpack(
        "3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    msg, anc, _flags, _addr = c.recvmsg(4096, socket.CMSG_SPACE(4))
    fds = array.array("i")
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % 4])
    content = ""
    for fd in fds:
        with os.fdopen(fd) as f:
            content = f.readline().strip()
    r, w = os.pipe()
    os.write(w, b"from-manager\n")
    os.close(w)
    reply = "peer uid=%d pid=%d\ngot=%s fd=%s\n" % (
        uid, pid, msg.decode(errors="replace").strip(), content)
    c.sendmsg([reply.encode()],
              [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                array.array("i", [r]))])
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
        except OSError as e:
            # One client that went away must not end the manager.
            print("fake_user_manager: %s" % e, file=sys.stderr)
        finally:
            c.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
