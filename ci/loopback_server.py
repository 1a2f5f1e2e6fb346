# SPDX-License-Identifier: MIT
"""A server of the benchmarks and reliability runs (o3-sim, bench-serve) on a
free loopback port, read from its --port-file; with trees=True it keeps a
fake sysfs and procfs (o3-sim's --sysfs-root and --procfs-root) that o3
reads with the same options (Server.trees). Shared by ci/reliability.py and
ci/bench/bench.py."""
import os
import shutil
import signal
import subprocess
import tempfile
import time


class Server:
    """argv on a free loopback port, stopped (and its folder removed) by stop()."""

    def __init__(self, argv, env=None, trees=False, prefix='o3-server-'):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        port_file = os.path.join(self.dir, 'port')
        extra = []
        if trees:
            os.makedirs(os.path.join(self.dir, 'sys'))
            os.makedirs(os.path.join(self.dir, 'proc'))
            extra = ['--sysfs-root', os.path.join(self.dir, 'sys'),
                     '--procfs-root', os.path.join(self.dir, 'proc')]
        e = dict(os.environ if env is None else env)
        e['OLLAMA_HOST'] = '127.0.0.1:0'
        self.proc = subprocess.Popen(argv + ['--port-file', port_file] + extra, env=e,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError(f'{argv[0]} did not start')
        self.port = int(open(port_file).read())
        self.host = f'127.0.0.1:{self.port}'
        self.trees = extra

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
