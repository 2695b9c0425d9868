# Sourced by the compare_*.sh scripts: reads BUILD_DIR [THREADS] [ROUNDS] [--] from "$@" into
# build, threads (default: all CPUs) and rounds (default 3), and sets `rest` to the options
# that follow, which go to both engines.
build=${1:?build dir}
shift
threads=$(nproc)
rounds=3
if [[ $# -gt 0 && $1 != -- ]]; then threads=$1; shift; fi
if [[ $# -gt 0 && $1 != -- ]]; then rounds=$1; shift; fi
[[ $# -gt 0 && $1 == -- ]] && shift
rest=("$@")
