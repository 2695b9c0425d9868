// revgan_train: trains a RevGAN (or a CycleGAN / pix2pix baseline) on an image dataset, or a 3D
// RevGAN on a folder of volumes.
// Exit codes: 0 done, 2 usage error, 1 runtime error, 130 stopped by SIGINT/SIGTERM (state saved).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/core/check.hpp"
#include "engine/distributed/communicator.hpp"
#include "training/options.hpp"
#include "training/train_loop.hpp"
#include "tools/report/report_observer.hpp"
#include "tools/train_progress.hpp"

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

// Only sets the flag: the loop saves a checkpoint at the next step boundary. SA_RESETHAND makes
// a second Ctrl-C terminate at once.
extern "C" void request_stop(int) { g_stop.store(true); }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = request_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace revgan;
  // Under mpirun every rank runs this; MPI is initialised before anything else.
  distributed::Communicator& group = distributed::init_world(argc, argv);
  const bool writer = group.rank() == 0;
  std::optional<training::ResolvedOptions> resolved;
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    training::ParsedArgs parsed = training::parse_train_args(args);
    if (parsed.help) {
      if (writer) fmt::print("{}", training::train_options_help("revgan_train"));
      return 0;
    }
    REVGAN_CHECK(distributed::built_with_mpi() || distributed::launcher_group_size() == 1,
                 "started as one of {} processes by mpirun, but this build has no MPI support, so each process "
                 "would train alone; rebuild with Open MPI (libopenmpi-dev, REVGAN_MPI=ON) or run one process",
                 distributed::launcher_group_size());
    // One GPU per process: a plain --device cuda means this rank's local GPU.
    if (group.size() > 1 && parsed.options.device == "cuda")
      parsed.options.device = fmt::format("cuda:{}", distributed::local_rank());
    resolved = training::resolve_options(parsed.options);
    REVGAN_CHECK(!(*resolved)->dataroot.empty(), "--dataroot DIR is required");
  } catch (const Error& e) {
    if (writer) fmt::print(stderr, "revgan_train: {}\n(see --help)\n", e.message());
    return 2;
  }

  const training::TrainOptions& options = resolved->get();
  try {
    install_stop_handlers();
    training::ObserverList observers;
    if (writer) {
      auto printer =
          std::make_shared<tools::ProgressPrinter>(stdout, ::isatty(STDOUT_FILENO) != 0, options.print_freq);
      observers.add(printer);
      // Sample grids every display step and the HTML report at each epoch end.
      observers.add(std::shared_ptr<training::RunObserver>(report::make_report_observer(options)));
      if (group.size() > 1)
        fmt::print("revgan_train: data-parallel over {}; batch size {} per rank, {} in all\n", group.describe(),
                   options.batch_size, options.batch_size * group.size());
    }
    const training::TrainRunResult result = training::run_training(*resolved, observers, &g_stop, &group);
    if (writer && group.size() > 1 && result.steps > 0) {
      const distributed::ReduceStats& r = result.all_reduce;
      fmt::print("revgan_train: gradient all-reduce per step: {:.2f} MiB in {} buckets, {:.2f} ms (rank 0, host time)\n",
                 static_cast<double>(r.bytes) / result.steps / (1 << 20),
                 static_cast<double>(r.buckets) / static_cast<double>(result.steps), 1e3 * r.seconds / result.steps);
    }
    if (result.interrupted) {
      if (writer)
        fmt::print(stderr,
                   "revgan_train: stopped at epoch {}, iteration {} of the epoch; {}resume with --continue_train\n",
                   result.progress.epoch, result.progress.epoch_iter,
                   result.last_checkpoint.empty() ? "" : fmt::format("saved '{}'; ", result.last_checkpoint));
      return 130;
    }
    return 0;
  } catch (const std::exception& e) {
    // A live progress line may still occupy the terminal's last line.
    fmt::print(stderr, "{}revgan_train: error{}: {}\n", ::isatty(STDOUT_FILENO) != 0 ? "\n" : "",
               group.size() > 1 ? fmt::format(" on rank {} of {}", group.rank(), group.size()) : "", e.what());
    std::fflush(stderr);
    // The other ranks may be waiting in a collective for this one: stop them all now.
    if (group.size() > 1) group.abort(1);
    return 1;
  }
}
