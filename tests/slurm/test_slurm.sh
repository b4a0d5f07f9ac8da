#!/usr/bin/env bash
# A real single-node Slurm on localhost (Debian's slurmctld, slurmd, munge), started and stopped by this test:
#  1. `axial sweep plan.toml --slurm` for a tiny plan (2 runs, a few training steps); `sbatch` its job array, then
#     the report as a dependent job (`--dependency=afterok`); wait (bounded); check both runs and the report.
#  2. The same plan in a second directory: kill array task 0 mid-training (`scancel JOB_0`), resubmit the same
#     script: task 1 is skipped as finished, task 0 resumes from its checkpoint (`axial train --resume`), and its
#     results equal run 1's of part 1 bit for bit (nothing lost, nothing changed).
# Daemons run as root with their own munge key, ports, state and logs under a temporary directory, and are stopped
# by PID at the end. Exit 77 (CTest: skipped) with the reason printed only where the Slurm/munge programs are not
# installed or the test cannot run them (not root).
# Usage: test_slurm.sh AXIAL_BINARY PYTHON
set -euo pipefail
axial=$1 python=${2:-python3}
for p in munged munge slurmctld slurmd sbatch squeue scancel scontrol; do
  if ! command -v "$p" > /dev/null; then
    echo "SKIPPED: '$p' is not installed (Debian packages slurmctld, slurmd, slurm-client, munge: bash scripts/setup)"
    exit 77
  fi
done
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIPPED: starting slurmd and munged (SlurmUser=root) needs root; this test runs as $(id -un)"
  exit 77
fi
if [[ ! -x $(dirname "$axial")/axial-torch ]]; then
  echo "SKIPPED: no axial-torch beside $axial (built with -DAXIAL_WITH_TORCH=OFF): sweeps need it to train"
  exit 77
fi

tmp=$(mktemp -d /tmp/axial-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  local rc=$?
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  if [[ $rc -ne 0 ]]; then
    for f in "$tmp"/log/*; do echo "---- $f (last lines)"; tail -n 15 "$f"; done
    for f in "$tmp"/sweep*/slurm/*.out; do [[ -e $f ]] && { echo "---- $f"; tail -n 15 "$f"; }; done
  fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
mkdir -p "$tmp"/{munge,state,spool,log}
chmod 755 "$tmp/munge"

# munge: a fresh key and socket of our own.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged -F -f --key-file="$tmp/munge/munge.key" --socket="$socket" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/log/munged.log" --seed-file="$tmp/munge/munged.seed" > "$tmp/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S $socket ]] && break; sleep 0.1; done
munge -S "$socket" -n | unmunge -S "$socket" > /dev/null

# slurm.conf: one node (this host, its CPUs), one partition; ports of our own.
node=$(hostname -s)
cpus=$(nproc)
port=$((20000 + RANDOM % 20000))
cat > "$tmp/slurm.conf" << EOF
ClusterName=axialtest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=2000 State=UNKNOWN
PartitionName=axial Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" > "$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" > "$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  sinfo -h -o %t 2> /dev/null | grep -q -x idle && break
  sleep 0.2
done
sinfo -h -o '%P %t %D %c' | grep -q idle || { echo "FAIL: the node did not come up"; sinfo || true; exit 1; }
echo "slurm: node $node ($cpus CPUs) idle, controller on port $port"

# wait_for JOB SECONDS: until JOB (all array tasks) has left the queue.
wait_for() {
  local job=$1 limit=$2 t=0
  while squeue -h -j "$job" 2> /dev/null | grep -q .; do
    sleep 1
    t=$((t + 1))
    if ((t >= limit)); then
      echo "FAIL: job $job still queued/running after ${limit}s"
      squeue
      exit 1
    fi
  done
  echo "job $job finished after ~${t}s"
}
# job_state JOB: the final state of a (finished) job, e.g. COMPLETED, CANCELLED.
job_state() { scontrol show job "$1" 2> /dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2; }

write_plan() {  # write_plan FILE OUT: 2 runs (seed 1, 2), a tiny model, a few hundred steps
  cat > "$1" << EOF
name = "slurm-test"
out = "$2"
[grid]
seed = [1, 2]
[train]
dataset = "three-dots"
steps = $steps
batch_size = 4
train_cache = 32
latent_dim = 3
anneal_steps = 10
log_every = 10
checkpoint_every = 5
[eval]
protocol = "quick"
num_train = 60
num_test = 20
clusters = 2
cluster_size = 40
localities = "0.1,0.3"
anchors = 4
[slurm]
gpus = 0
cpus_per_task = 1
mem = "200M"
time = "00:15:00"
EOF
}
steps=${AXIAL_SLURM_TEST_STEPS:-200}

# --- 1. submit, wait, check runs and report --------------------------------------------------------------------
write_plan "$tmp/plan.toml" "$tmp/sweep1"
"$axial" sweep "$tmp/plan.toml" --slurm --quiet > "$tmp/log/sweep1.txt"
grep -q '^#SBATCH --array=0-1$' "$tmp/sweep1/sweep.sbatch"
job=$(sbatch --parsable "$tmp/sweep1/sweep.sbatch")
report_job=$(sbatch --parsable --dependency=afterok:"$job" --output="$tmp/sweep1/slurm/report.out" \
  --cpus-per-task=1 --mem=200M --wrap "'$axial' report '$tmp/sweep1/runs' --out '$tmp/sweep1/report' --quiet")
echo "submitted array job $job (2 tasks) and report job $report_job"
wait_for "$job" 600
wait_for "$report_job" 120
for run in seed-1 seed-2; do
  [[ -s $tmp/sweep1/runs/$run/eval/results.json ]] || { echo "FAIL: runs/$run/eval/results.json missing"; exit 1; }
done
[[ $(job_state "$report_job") == COMPLETED ]] || { echo "FAIL: report job $(job_state "$report_job")"; exit 1; }
[[ -s $tmp/sweep1/report/report.md && -s $tmp/sweep1/report/runs.csv ]] || { echo "FAIL: no report"; exit 1; }
rows=$(($(wc -l < "$tmp/sweep1/report/runs.csv") - 1))
[[ $rows -ge 2 ]] || { echo "FAIL: runs.csv has $rows rows"; exit 1; }
ls "$tmp/sweep1/slurm/${job}_0.out" "$tmp/sweep1/slurm/${job}_1.out" > /dev/null
echo "part 1: both runs evaluated, report written ($rows rows in runs.csv)"

# --- 2. kill array task 0 mid-training, resubmit: it resumes and ends identical -------------------------------
write_plan "$tmp/plan2.toml" "$tmp/sweep2"
"$axial" sweep "$tmp/plan2.toml" --slurm --quiet > "$tmp/log/sweep2.txt"
job=$(sbatch --parsable "$tmp/sweep2/sweep.sbatch")
run0=$tmp/sweep2/runs/seed-1
for _ in $(seq 600); do
  [[ -e $run0/train/checkpoint.pt ]] && break
  sleep 0.1
done
[[ -e $run0/train/checkpoint.pt ]] || { echo "FAIL: task 0 wrote no checkpoint within 60s"; exit 1; }
scancel "${job}_0"
echo "cancelled task ${job}_0 after its first checkpoint"
wait_for "$job" 600
[[ ! -e $run0/train/model/vae.pt ]] || { echo "FAIL: task 0 finished training before it was cancelled (raise AXIAL_SLURM_TEST_STEPS)"; exit 1; }
[[ ! -e $run0/eval/results.json ]] || { echo "FAIL: task 0 has results although cancelled"; exit 1; }
[[ -s $tmp/sweep2/runs/seed-2/eval/results.json ]] || { echo "FAIL: task 1 did not finish"; exit 1; }
job2=$(sbatch --parsable "$tmp/sweep2/sweep.sbatch")
echo "resubmitted as $job2"
wait_for "$job2" 600
grep -q "finished already" "$tmp/sweep2/slurm/${job2}_1.out" || { echo "FAIL: task 1 was not skipped"; exit 1; }
grep -q -- "axial train --resume" "$tmp/sweep2/slurm/${job2}_0.out" || { echo "FAIL: task 0 did not resume"; exit 1; }
[[ -s $run0/eval/results.json ]] || { echo "FAIL: the resumed run has no results"; exit 1; }
"$python" - "$tmp/sweep1/runs/seed-1" "$run0" << 'EOF'
import csv, json, sys
a, b = sys.argv[1], sys.argv[2]
ra, rb = (json.load(open(f"{d}/eval/results.json")) for d in (a, b))
assert ra["metrics"] == rb["metrics"], "metrics differ after the resume"
assert ra["local"] == rb["local"], "local metrics differ after the resume"
la, lb = (list(csv.DictReader(open(f"{d}/train/train_log.csv"))) for d in (a, b))
assert [r["step"] for r in la] == [r["step"] for r in lb], "train_log.csv steps differ (rows lost or repeated)"
strip = lambda rows: [{k: v for k, v in r.items() if k != "images/s"} for r in rows]  # wall-clock speed differs
assert strip(la) == strip(lb), "train_log.csv losses differ after the resume"
print(f"part 2: the resumed run equals the uninterrupted one (mig {rb['metrics']['mig']}, {len(lb)} log rows)")
EOF
echo "slurm test passed"
