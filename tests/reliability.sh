#!/bin/bash
# The reliability tests at a larger size than make check runs them:
#   tests/reliability.sh [CYCLES]      (default 5000 login/logout cycles)
# Root. Builds first; runs the crash, kill, /run/nsiso and concurrency tests.
set -eu
cd "$(dirname "$0")/.."
make -s all faults
# 67 logins held open per user, three users: 201 concurrent logins.
NSISO_CYCLES=${1:-5000} NSISO_CONCURRENT=${NSISO_CONCURRENT:-67} exec tests/integration/run.sh \
	t_95_crash_at_every_build_step t_96_killed_processes t_97_rundir_trouble \
	t_98_caller_out_of_fds t_99_concurrency_and_cycles t_99b_policy_changed_while_live
