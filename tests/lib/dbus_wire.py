"""Just enough of the D-Bus wire format for the relay tests: the client's
NUL byte and auth lines, and messages framed by their 16-byte header (the
relay must keep each message's fds with it). Not a D-Bus implementation:
header fields are opaque bytes and bodies are plain text."""
import array
import socket
import struct


def message(serial, body, fields=b"\x08\x01g\x00\x00"):
    """A method-call message, little endian; the 5-byte field array makes
    the header need padding, as real ones do."""
    head = struct.pack("<cBBBIII", b"l", 1, 0, 1, len(body), serial,
                       len(fields)) + fields
    head += b"\0" * (-len(head) % 8)
    return head + body


def send(sock, data, fds=()):
    anc = []
    if fds:
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
    sock.sendmsg([data], anc)


def _recv_exact(sock, n, fds):
    """Exactly n bytes, as sd-bus reads: never into the next message."""
    data = b""
    while len(data) < n:
        chunk, anc, _flags, _addr = sock.recvmsg(n - len(data),
                                                 socket.CMSG_SPACE(4 * 16))
        if not chunk:
            raise EOFError("connection closed mid-message")
        data += chunk
        for level, kind, raw in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.extend(array.array("i", raw[:len(raw) - len(raw) % 4]))
    return data


def recv_line(sock):
    line = b""
    while not line.endswith(b"\n"):
        line += _recv_exact(sock, 1, [])
    return line


def recv_message(sock):
    """(body, fds received while reading exactly this message)."""
    fds = []
    head = _recv_exact(sock, 16, fds)
    body_len, _serial, fields_len = struct.unpack("<III", head[4:16])
    rest = (16 + fields_len + 7) // 8 * 8 - 16 + body_len
    data = _recv_exact(sock, rest, fds)
    return data[len(data) - body_len:], fds
