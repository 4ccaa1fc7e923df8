#!/usr/bin/env python3
"""Capture syslog lines for tests on a machine without a syslog daemon.

Usage: syslog_listener.py SOCKET OUTFILE
Binds a datagram socket at SOCKET and appends each message to OUTFILE
(flushed per line) until killed. The test harness binds SOCKET over
/dev/log inside its own mount namespace, so the host is not touched.
"""
import os
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    with open(out, "a", buffering=1) as f:
        while True:
            data = s.recv(65536)
            f.write(data.decode("utf-8", "replace").rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
