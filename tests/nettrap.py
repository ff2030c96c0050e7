"""A trap for any process's attempt to reach another machine, for use inside a fresh network namespace.

Inside ``unshare -n -m`` (a network namespace with only loopback, and a private mount
namespace), :func:`install` does three things:
- brings loopback up;
- bind-mounts a ``resolv.conf`` that names 127.0.0.1 as the only resolver, and answers
  every DNS query there (UDP and TCP, port 53) with REFUSED after writing the name to
  ``dns.log``;
- creates a TUN device and routes every other IPv4 and IPv6 address into it, so that any
  connection attempt or datagram to another machine arrives here instead of failing with
  "network unreachable"; each one is written to ``packets.log`` (protocol, address, port).

This sees every process (C libraries, child processes, browsers), not only Python's
sockets. Nothing ever leaves the namespace: the TUN device has no other end.
"""

from __future__ import annotations

import fcntl
import os
import select
import socket
import struct
import subprocess
import threading
from pathlib import Path

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
TRAP_DEVICE = b"trap0"
# ICMPv6 the kernel sends on its own when an interface comes up (router and neighbour
# discovery, multicast listener reports): not an attempt by any program.
KERNEL_ICMPV6 = {133, 134, 135, 136, 143}
PROTOCOLS = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}


class NetTrap:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.dns_log = folder / "dns.log"
        self.packets_log = folder / "packets.log"
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ set-up

    def install(self) -> "NetTrap":
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dns_log.write_text("")
        self.packets_log.write_text("")
        _run("ip", "link", "set", "lo", "up")
        resolv = self.folder / "resolv.conf"
        resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        _run("mount", "--bind", str(resolv), "/etc/resolv.conf")
        self._start_dns()
        self._start_tun()
        return self

    def _start_dns(self) -> None:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 53))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", 53))
        tcp.listen(16)
        self._spawn(self._serve_udp, udp)
        self._spawn(self._serve_tcp, tcp)

    def _start_tun(self) -> None:
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", TRAP_DEVICE, IFF_TUN | IFF_NO_PI))
        name = TRAP_DEVICE.decode()
        _run("ip", "addr", "add", "10.254.254.1/32", "dev", name)
        _run("ip", "link", "set", name, "up")
        _run("ip", "route", "add", "default", "dev", name)
        _run("ip", "-6", "route", "add", "default", "dev", name)
        self._spawn(self._read_tun, fd)

    def _spawn(self, target, arg) -> None:
        thread = threading.Thread(target=target, args=(arg,), daemon=True)
        thread.start()
        self._threads.append(thread)

    # ------------------------------------------------------------ recording

    def _write(self, path: Path, line: str) -> None:
        with self._lock, open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def _serve_udp(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([sock], [], [], 0.5)
            if not ready:
                continue
            data, peer = sock.recvfrom(4096)
            self._write(self.dns_log, f"udp {query_name(data)}")
            if reply := refused(data):
                sock.sendto(reply, peer)

    def _serve_tcp(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([sock], [], [], 0.5)
            if not ready:
                continue
            conn, _ = sock.accept()
            with conn:
                conn.settimeout(2)
                try:
                    data = conn.recv(4096)[2:]
                except OSError:
                    continue
                self._write(self.dns_log, f"tcp {query_name(data)}")
                if reply := refused(data):
                    conn.sendall(struct.pack("!H", len(reply)) + reply)

    def _read_tun(self, fd: int) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                line = describe_packet(os.read(fd, 65535))
                if line:
                    self._write(self.packets_log, line)

    def stop(self) -> None:
        self._stop.set()

    def attempts(self) -> dict[str, list[str]]:
        return {
            "dns": [line for line in self.dns_log.read_text().splitlines() if line],
            "packets": [line for line in self.packets_log.read_text().splitlines() if line],
        }


def _run(*command: str) -> None:
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {out.stderr.strip()}")


def query_name(message: bytes) -> str:
    """The first question's name in a DNS message, or a note that it could not be read."""
    labels, i = [], 12
    try:
        while message[i]:
            length = message[i]
            labels.append(message[i + 1 : i + 1 + length].decode("ascii", "replace"))
            i += 1 + length
        qtype = struct.unpack("!H", message[i + 1 : i + 3])[0]
    except (IndexError, struct.error):
        return f"(unreadable query of {len(message)} bytes)"
    return f"{'.'.join(labels)} type {qtype}"


def refused(query: bytes) -> bytes:
    """A REFUSED answer to a DNS query, so the asker gives up at once."""
    if len(query) < 12:
        return b""
    flags = 0x8000 | (query[2] & 0x79) << 8 | 0x0005  # response, same opcode and RD, rcode REFUSED
    return query[:2] + struct.pack("!H", flags) + query[4:6] + b"\0\0\0\0\0\0" + query[12:]


def describe_packet(packet: bytes) -> str:
    """'tcp 93.184.216.34:443' for a packet some program sent towards another machine; '' for kernel chatter."""
    if not packet:
        return ""
    version = packet[0] >> 4
    if version == 4 and len(packet) >= 20:
        header = (packet[0] & 0x0F) * 4
        proto, dst, rest = packet[9], socket.inet_ntop(socket.AF_INET, packet[16:20]), packet[header:]
    elif version == 6 and len(packet) >= 40:
        proto, dst, rest = packet[6], socket.inet_ntop(socket.AF_INET6, packet[24:40]), packet[40:]
        if proto == 58 and rest and rest[0] in KERNEL_ICMPV6:
            return ""
    else:
        return f"unknown packet of {len(packet)} bytes"
    name = PROTOCOLS.get(proto, f"proto{proto}")
    if proto in (6, 17) and len(rest) >= 4:
        return (
            f"{name} [{dst}]:{struct.unpack('!H', rest[2:4])[0]}"
            if ":" in dst
            else f"{name} {dst}:{struct.unpack('!H', rest[2:4])[0]}"
        )
    return f"{name} {dst}"
