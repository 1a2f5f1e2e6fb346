#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The reliability figures of the README (issue 12), measured against the
simulator. Called by ci/reliability.sh, which builds first:

    ci/reliability.py BUILD [--kills N] [--seed S] [--only kills,faults,hostile,rss]

kills    N kills (SIGINT, SIGTERM, SIGHUP, SIGKILL of o3 alone, SIGKILL of its
         process group) at random moments of `o3 run` of the smoke suite,
         each followed by a resume; after each: records lost (a complete
         record of the log before the kill missing after it), orphans (a
         process of the run alive after o3 ended); at the end of each
         campaign: steps measured twice, and verdicts against an
         undisturbed run.
faults   every fault of the simulator at the Nth generate request, N across
         the whole run (so that probes, fill-confirms, trials and stability
         are all hit): how each run ended and which phases took the fault.
hostile  bad suites, hostile logs and a hostile model name: exit codes and
         whether o3 ever crashed (exit 5 or a signal).
rss      peak RSS of o3 (and of its step children) over a run of about 100
         steps and over a stability level of 256 concurrent streams.

Prints one table per part; exits 1 when a record was lost or duplicated, an
orphan was left, a verdict changed or o3 crashed.
"""
import argparse
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from loopback_server import Server

SCALE = "0.002"
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def Sim(build, extra=()):
    """o3-sim of the Strix Halo 64 GB profile at SCALE, with its fake trees."""
    return Server([os.path.join(build, "fixtures/ollama-sim/o3-sim"), "--profile", "strix-halo-64g",
                   "--time-scale", SCALE, *extra], trees=True, prefix="o3-rel-sim.")


def o3_cmd(build, sim, suite, results, *extra):
    return ([os.path.join(build, "o3"), "run", "--suite", os.path.join(SRC, suite),
             "--results", results, "--no-progress", *sim.trees, *extra])


def o3_env(sim):
    return dict(os.environ, OLLAMA_HOST=sim.host, O3_TIME_SCALE=SCALE)


def complete_records(results):
    """The log's complete lines (parsable JSON ending in a newline)."""
    out = []
    try:
        with open(os.path.join(results, "logs/run.jsonl"), "rb") as f:
            for line in f:
                if not line.endswith(b"\n"):
                    continue
                try:
                    json.loads(line)
                except ValueError:
                    continue
                out.append(line)
    except FileNotFoundError:
        pass
    return out


def processes_of(results):
    """Pids of processes whose command line names the results folder."""
    pids = []
    for p in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(p, "rb") as f:
                if results.encode() in f.read():
                    pids.append(int(p.split("/")[2]))
        except OSError:
            pass
    return [p for p in pids if p != os.getpid()]


TRANSIENT = {"client_timeout", "unreachable", "busy", "interrupted", "harness_crash"}


def measured_twice(results):
    """Step keys with more than one record that is not a transient failure."""
    seen, twice = {}, 0
    for line in complete_records(results):
        r = json.loads(line)
        if r.get("phase") in ("run", "identity", "model-end") or "key" not in r:
            continue
        if (r.get("error") or {}).get("class") in TRANSIENT:
            continue
        seen[r["key"]] = seen.get(r["key"], 0) + 1
    for n in seen.values():
        twice += n > 1
    return twice


def verdicts(results):
    """Per model: the ceiling and the usable context from summary.json."""
    try:
        with open(os.path.join(results, "summaries/summary.json")) as f:
            s = json.load(f)
    except (OSError, ValueError):
        return None
    out = {}
    for m in s.get("models", []):
        c = m.get("ceiling") or {}
        presets = {k: (v or {}).get("options") for k, v in (m.get("presets") or {}).items()}
        out[m.get("model")] = (c.get("loads_up_to"), (c.get("usable") or {}).get("num_ctx"),
                               json.dumps(presets, sort_keys=True))
    return out


KILLS = [("SIGINT", signal.SIGINT, False), ("SIGTERM", signal.SIGTERM, False),
         ("SIGHUP", signal.SIGHUP, False), ("SIGKILL", signal.SIGKILL, False),
         ("SIGKILL group", signal.SIGKILL, True)]


def part_kills(build, n, rng):
    sim = Sim(build)
    bad = 0
    try:
        ref_dir = tempfile.mkdtemp(prefix="o3-rel-ref.")
        subprocess.run(o3_cmd(build, sim, "suites/smoke.yaml", ref_dir), env=o3_env(sim),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        reference = verdicts(ref_dir)
        shutil.rmtree(ref_dir)
        stats = {k[0]: {"kills": 0, "exits": {}, "lost": 0, "orphans": 0} for k in KILLS}
        campaigns = {"done": 0, "twice": 0, "changed": 0, "lost": 0}
        results = tempfile.mkdtemp(prefix="o3-rel-kill.")
        kills = 0
        while kills < n:
            before = set(complete_records(results))
            p = subprocess.Popen(o3_cmd(build, sim, "suites/smoke.yaml", results), env=o3_env(sim),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
            time.sleep(rng.uniform(0.05, 2.5))
            if p.poll() is None:
                name, sig, group = KILLS[kills % len(KILLS)]
                try:
                    if group:
                        os.killpg(p.pid, sig)
                    else:
                        p.send_signal(sig)
                except ProcessLookupError:
                    pass
                try:
                    rc = p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    rc = "hung"
                    bad += 1
                kills += 1
                st = stats[name]
                st["kills"] += 1
                st["exits"][rc] = st["exits"].get(rc, 0) + 1
                time.sleep(0.3)
                left = processes_of(results)
                if left:
                    time.sleep(2)
                    left = processes_of(results)
                    for pid in left:
                        os.kill(pid, signal.SIGKILL)
                st["orphans"] += len(left)
                after = set(complete_records(results))
                st["lost"] += len(before - after)
                continue
            rc = p.wait()
            # the run ended by itself: a campaign is complete
            lost = len(before - set(complete_records(results)))
            campaigns["lost"] += lost
            campaigns["done"] += 1
            campaigns["twice"] += measured_twice(results)
            if verdicts(results) != reference or rc != 0:
                campaigns["changed"] += 1
            shutil.rmtree(results)
            results = tempfile.mkdtemp(prefix="o3-rel-kill.")
        # finish the last campaign
        subprocess.run(o3_cmd(build, sim, "suites/smoke.yaml", results), env=o3_env(sim),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        campaigns["done"] += 1
        campaigns["twice"] += measured_twice(results)
        campaigns["changed"] += verdicts(results) != reference
        shutil.rmtree(results)
    finally:
        sim.stop()
    print("\n## Kills at random moments of `o3 run` (smoke suite, simulator), each followed by a resume\n")
    print("| signal | kills | o3's exits | records lost | orphans |")
    print("|---|---:|---|---:|---:|")
    total = {"kills": 0, "lost": 0, "orphans": 0}
    for name, st in stats.items():
        exits = ", ".join(f"{k}: {v}" for k, v in sorted(st["exits"].items(), key=str))
        print(f"| {name} | {st['kills']} | {exits} | {st['lost']} | {st['orphans']} |")
        for k in total:
            total[k] += st[k]
    print(f"| all | {total['kills']} | | {total['lost']} | {total['orphans']} |")
    print(f"\nCampaigns run to the end by resuming: {campaigns['done']}; records lost by the "
          f"resume that finished one: {campaigns['lost']}; steps measured twice: "
          f"{campaigns['twice']}; campaigns whose verdicts differ from an undisturbed run: "
          f"{campaigns['changed']}")
    return (bad + total["lost"] + total["orphans"] + campaigns["lost"] + campaigns["twice"] +
            campaigns["changed"])


FAULTS = ["crash-at-load", "midstream-error", "disconnect", "slow-load", "malformed-line", "busy",
          "hang"]


def part_faults(build, ns):
    print("\n## Faults of the simulator at the Nth generate request of `o3 run` (smoke suite)\n")
    print("| fault | runs | exit 0 | exit 1 | other exits | phases that took the fault |")
    print("|---|---:|---:|---:|---|---|")
    bad = 0
    for kind in FAULTS:
        runs = ok = findings = 0
        other, phases = {}, set()
        for n in ns:
            sim = Sim(build, ["--fault", f"{kind}@{n}"])
            results = tempfile.mkdtemp(prefix="o3-rel-fault.")
            try:
                rc = subprocess.run(o3_cmd(build, sim, "suites/smoke.yaml", results),
                                    env=o3_env(sim), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, timeout=600).returncode
            finally:
                sim.stop()
            runs += 1
            if rc == 0:
                ok += 1
            elif rc == 1:
                findings += 1
            else:
                other[rc] = other.get(rc, 0) + 1
            if rc not in (0, 1) or not os.path.exists(os.path.join(results, "junit.xml")):
                bad += 1
            for line in complete_records(results):
                r = json.loads(line)
                if r.get("error") or r.get("status") not in (None, "ok") or r.get("errors"):
                    phases.add(r.get("phase"))
            shutil.rmtree(results)
        o = ", ".join(f"{k}: {v}" for k, v in sorted(other.items())) or "none"
        print(f"| {kind} | {runs} | {ok} | {findings} | {o} | {', '.join(sorted(p for p in phases if p))} |")
    return bad


def hostile_cases():
    cases = []
    for f in sorted(glob.glob(os.path.join(SRC, "tests/data/suites/bad/*.yaml"))):
        cases.append(("suite " + os.path.basename(f), ["run", "--suite", f, "--results", "{tmp}/r"], 3))
    cases.append(("suite that is a directory", ["run", "--suite", SRC, "--results", "{tmp}/r"], 3))
    cases.append(("suite of random bytes", ["run", "--suite", "{tmp}/random.yaml", "--results", "{tmp}/r"], 3))
    cases.append(("log of random bytes", ["report", "{tmp}/junk"], 3))
    cases.append(("log cut in the middle of a record", ["report", "{tmp}/torn"], 0))
    cases.append(("results folder that is a file", ["report", "{tmp}/random.yaml"], 3))
    cases.append(("baseline files of random bytes", ["compare", "--baseline", "{tmp}/b", "{tmp}/torn"], 3))
    cases.append(("OLLAMA_HOST with a path and spaces", ["trial", "m", "--reps", "1"], 4))
    return cases


def part_hostile(build):
    bad = 0
    tmp = tempfile.mkdtemp(prefix="o3-rel-hostile.")
    rng = random.Random(1)
    with open(os.path.join(tmp, "random.yaml"), "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(4096)))
    os.makedirs(os.path.join(tmp, "junk/logs"))
    with open(os.path.join(tmp, "junk/logs/run.jsonl"), "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(4096)))
    os.makedirs(os.path.join(tmp, "b/sim-strix-halo-64g"))
    for m in ("qwen2.5_3b-instruct", "liquid-rag_latest"):
        with open(os.path.join(tmp, "b/sim-strix-halo-64g", m + ".json"), "wb") as f:
            f.write(bytes(rng.getrandbits(8) for _ in range(2048)))
    # a real log cut short
    sim = Sim(build)
    torn = os.path.join(tmp, "torn")
    subprocess.run(o3_cmd(build, sim, "suites/smoke.yaml", torn), env=o3_env(sim),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    sim.stop()
    log = os.path.join(torn, "logs/run.jsonl")
    os.truncate(log, os.path.getsize(log) - 300)
    tally = {}
    rows = []
    for name, args, want in hostile_cases():
        args = [a.replace("{tmp}", tmp) for a in args]
        env = dict(os.environ, OLLAMA_HOST="http://127.0.0.1:9/a path/with spaces")
        p = subprocess.run([os.path.join(build, "o3"), *args], env=env, capture_output=True,
                           timeout=120)
        rc = p.returncode
        said = p.stderr.decode(errors="replace").strip().splitlines()
        crashed = rc < 0 or rc == 5
        bad += crashed or rc != want
        tally[rc] = tally.get(rc, 0) + 1
        rows.append((name, rc, want, said[0][:90] if said else ""))
        shutil.rmtree(os.path.join(tmp, "r"), ignore_errors=True)
    shutil.rmtree(tmp)
    print("\n## Hostile inputs\n")
    print("| input | exit | expected | first line o3 said |")
    print("|---|---:|---:|---|")
    for name, rc, want, said in rows:
        print(f"| {name} | {rc} | {want} | {said.replace('|', '/')} |")
    print(f"\n{len(rows)} inputs: " + ", ".join(f"exit {k}: {v}" for k, v in sorted(tally.items())))
    return bad


def part_rss(build):
    """Peak RSS by GNU time (the largest of o3 and the step children it
    reaped); without it, wait4 around a small Python, whose own peak before
    the exec Linux keeps in the figure (said in the table)."""
    gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    out = []
    for label, suite in (("about 100 steps", "tests/data/suites/run/hundred-steps.yaml"),
                         ("256 concurrent streams", "tests/data/suites/run/streams-256.yaml")):
        sim = Sim(build)
        results = tempfile.mkdtemp(prefix="o3-rel-rss.")
        cmd = o3_cmd(build, sim, suite, results)
        if gnu_time:
            peak = os.path.join(results + ".peak")
            rc = subprocess.run([gnu_time, "-q", "-f", "%M", "-o", peak, *cmd], env=o3_env(sim),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            with open(peak) as f:
                kb = int(f.read().split()[-1])
            os.unlink(peak)
        else:
            code = ("import resource,subprocess,sys,json;"
                    "p=subprocess.run(json.loads(sys.argv[1]),stdout=subprocess.DEVNULL,"
                    "stderr=subprocess.DEVNULL);"
                    "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            r = subprocess.run([sys.executable, "-c", code, json.dumps(cmd)], env=o3_env(sim),
                               capture_output=True, text=True)
            rc, kb = (int(x) for x in r.stdout.split())
        sim.stop()
        steps = sum(1 for line in complete_records(results)
                    if json.loads(line).get("phase") not in ("run", "identity", "model-end"))
        out.append((label, steps, rc, kb))
        shutil.rmtree(results)
    print("\n## Peak resident memory of o3 (the largest of o3 and its step children)\n")
    print("| run | steps | exit | peak RSS |")
    print("|---|---:|---:|---:|")
    for label, steps, rc, kb in out:
        print(f"| {label} | {steps} | {rc} | {kb / 1024:.1f} MiB |")
    print("\nMeasured by " + ("GNU time (`/usr/bin/time -f %M`)." if gnu_time else
          "wait4 around a small Python (no GNU time here): the figure keeps that Python's own "
          "peak from before the exec, an upper bound."))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    # a smoke run sends about 230 generate requests a model: probes and a
    # fill first, then trials, then two stability levels of 100 requests
    ap.add_argument("--fault-requests", default="1,2,3,5,8,11,14,20,60,150,225,240,300,400")
    ap.add_argument("--only", default="kills,faults,hostile,rss")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    parts = a.only.split(",")
    bad = 0
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(f"# o3 reliability: {cpu}, {os.cpu_count()} cores, simulator time scale {SCALE}")
    t0 = time.time()
    if "kills" in parts:
        bad += part_kills(build, a.kills, random.Random(a.seed))
    if "faults" in parts:
        bad += part_faults(build, [int(x) for x in a.fault_requests.split(",")])
    if "hostile" in parts:
        bad += part_hostile(build)
    if "rss" in parts:
        bad += part_rss(build)
    print(f"\n{bad} problems; {time.time() - t0:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
