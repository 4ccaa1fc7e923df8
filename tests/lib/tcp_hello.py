#!/usr/bin/env python3
"""A tiny TCP server for network tests: answers every connection with a
line naming itself, for at most SECONDS, then exits.

Usage: tcp_hello.py ADDRESS PORT NAME [SECONDS]
"""
import socket
import sys
import time


def main():
    addr, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    deadline = time.time() + float(sys.argv[4] if len(sys.argv) > 4 else 60)
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    s.settimeout(0.5)
    while time.time() < deadline:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        c.sendall(("hello from %s\n" % name).encode())
        c.close()


if __name__ == "__main__":
    main()
