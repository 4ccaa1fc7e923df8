#!/usr/bin/env python3
"""Sums the in-kernel time (strace -f -T) of one or more traced logins by
part: namespace creation, mounts, process creation, join, cgroup, socket
talk, exec, the rest. Prints "part usec" lines: the median over the files
given (one trace per login).

    strace_parts.py TRACE...
"""
import re
import statistics
import sys

DONE = re.compile(r'^(\d+)\s+(\w+)\((.*)\)\s+=\s+(\S+).*<([\d.]+)>$')
UNFIN = re.compile(r'^(\d+)\s+(\w+)\((.*)<unfinished \.\.\.>$')
RESUMED = re.compile(r'^(\d+)\s+<\.\.\. (\w+) resumed>.*<([\d.]+)>$')

MOUNTS = {'mount', 'umount2', 'fsopen', 'fsconfig', 'fsmount', 'move_mount',
          'open_tree', 'mount_setattr'}
PROCS = {'clone', 'clone3', 'fork', 'vfork', 'exit_group'}
SOCK = {'socket', 'bind', 'listen', 'connect', 'accept4', 'sendmsg',
        'recvmsg', 'sendto', 'recvfrom', 'getsockopt', 'setsockopt'}


def part(name, args):
    if name == 'unshare':
        return 'unshare (namespace creation)' if 'CLONE_NEW' in args else 'unshare (CLONE_FS)'
    if name in MOUNTS:
        return 'mounts'
    if name == 'setns':
        return 'setns (join)'
    if name in PROCS:
        return 'fork/clone'
    if name == 'execve':
        return 'execve'
    if name == 'write' and re.match(r'\d+, "0", 1', args):
        return 'cgroup'  # the move into the environment's cgroup.procs
    if name in ('restart_syscall', 'wait4', 'waitid', 'poll', 'ppoll', 'read', 'epoll_wait',
                'flock', 'nanosleep', 'clock_nanosleep'):
        return None  # waiting for another traced process: not work
    if 'cgroup' in args or name in ('mkdir', 'rmdir') and 'nsiso' in args:
        return 'cgroup'
    if name in SOCK:
        return 'socket talk'
    return 'other: ' + name


def one(path):
    sums = {}
    pending = {}
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            m = DONE.match(line)
            if m:
                pid, name, args, _, t = m.groups()
            else:
                m = UNFIN.match(line)
                if m:
                    pending[m.group(1)] = (m.group(2), m.group(3))
                    continue
                m = RESUMED.match(line)
                if not m:
                    continue
                pid, name, t = m.groups()
                args = pending.pop(pid, (name, ''))[1]
            p = part(name, args)
            if p:
                sums[p] = sums.get(p, 0.0) + float(t) * 1e6
    return sums


def main():
    runs = [one(p) for p in sys.argv[1:]]
    # The four largest 'other: NAME' buckets keep their name, the rest fold.
    tot = {}
    for r in runs:
        for k, v in r.items():
            if k.startswith('other: '):
                tot[k] = tot.get(k, 0) + v
    keep = set(sorted(tot, key=tot.get, reverse=True)[:4])
    for r in runs:
        for k in [k for k in r if k.startswith('other: ') and k not in keep]:
            r['other syscalls (rest)'] = r.get('other syscalls (rest)', 0) + r.pop(k)
    keys = sorted({k for r in runs for k in r})
    for k in keys:
        print('%s\t%d' % (k, statistics.median(r.get(k, 0.0) for r in runs)))


if __name__ == '__main__':
    main()
