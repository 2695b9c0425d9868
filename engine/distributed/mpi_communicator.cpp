// MpiCommunicator: MPI_Allreduce / MPI_Bcast / MPI_Gatherv on MPI_COMM_WORLD, in chunks of at
// most INT_MAX elements (MPI counts are int). Errors return codes that are checked and named.
#include "engine/distributed/mpi_communicator.hpp"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/core/check.hpp"

#ifdef REVGAN_WITH_NCCL
#include "engine/distributed/nccl_group.hpp"
#endif

namespace revgan::distributed {

namespace {

void check_mpi(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  REVGAN_FAIL("MPI: {} failed: {}", what, std::string(text, static_cast<std::size_t>(length)));
}

MPI_Datatype mpi_type(DType dtype) {
  REVGAN_CHECK(dtype == DType::float32 || dtype == DType::float64, "MPI: collectives take float32 or float64 tensors, got {}",
               dtype_name(dtype));
  return dtype == DType::float32 ? MPI_FLOAT : MPI_DOUBLE;
}

// Runs `op(offset, count)` over [0, n) in chunks MPI's int counts can express.
template <class Op>
void in_chunks(int64_t n, Op op) {
  for (int64_t offset = 0; offset < n;) {
    const int count = static_cast<int>(std::min<int64_t>(n - offset, INT_MAX));
    op(offset, count);
    offset += count;
  }
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(int* argc, char*** argv) {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
      int provided = 0;
      check_mpi(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
      owns_mpi_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    // Errors come back as codes (checked above) instead of aborting inside MPI.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  ~MpiCommunicator() override {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (owns_mpi_ && !finalised) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string describe() const override {
    char version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
    int length = 0;
    MPI_Get_library_version(version, &length);
    std::string v(version, static_cast<std::size_t>(length));
    v = v.substr(0, v.find_first_of(",\n"));
    return fmt::format("MPI ({}), {} ranks{}", v, size_, nccl_ ? ", CUDA tensors through " + nccl_->describe() : "");
  }

  void all_reduce_sum(Tensor& t) override {
    if (t.device().is_cuda()) return all_reduce_cuda(t);
    const MPI_Datatype type = mpi_type(t.dtype());
    char* base = static_cast<char*>(t.raw_data());
    const std::size_t element = dtype_size(t.dtype());
    in_chunks(t.numel(), [&](int64_t offset, int count) {
      check_mpi(MPI_Allreduce(MPI_IN_PLACE, base + offset * static_cast<int64_t>(element), count, type, MPI_SUM,
                              MPI_COMM_WORLD),
                "MPI_Allreduce");
    });
  }

  void all_reduce_sum(std::vector<double>& values) override {
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, MPI_SUM,
                            MPI_COMM_WORLD),
              "MPI_Allreduce");
  }

  void broadcast(Tensor& t, int root) override {
    if (t.device().is_cuda()) {
      Tensor host = t.to(Device::cpu());
      broadcast(host, root);
      t.copy_from(host);
      return;
    }
    char* base = static_cast<char*>(t.raw_data());
    in_chunks(static_cast<int64_t>(t.nbytes()), [&](int64_t offset, int count) {
      check_mpi(MPI_Bcast(base + offset, count, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
    });
  }

  void broadcast(std::vector<char>& bytes, int root) override {
    int64_t n = static_cast<int64_t>(bytes.size());
    check_mpi(MPI_Bcast(&n, 1, MPI_INT64_T, root, MPI_COMM_WORLD), "MPI_Bcast");
    bytes.resize(static_cast<std::size_t>(n));
    in_chunks(n, [&](int64_t offset, int count) {
      check_mpi(MPI_Bcast(bytes.data() + offset, count, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
    });
  }

  std::vector<std::vector<char>> gather(const std::vector<char>& bytes, int root) override {
    REVGAN_CHECK(bytes.size() <= static_cast<std::size_t>(INT_MAX), "gather: {} bytes is more than MPI sends at once",
                 bytes.size());
    const int mine = static_cast<int>(bytes.size());
    std::vector<int> counts(rank_ == root ? static_cast<std::size_t>(size_) : 0);
    check_mpi(MPI_Gather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, root, MPI_COMM_WORLD), "MPI_Gather");
    std::vector<int> displacements(counts.size());
    int64_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      REVGAN_CHECK(total + counts[r] <= INT_MAX, "gather: more than {} bytes in all", INT_MAX);
      displacements[r] = static_cast<int>(total);
      total += counts[r];
    }
    std::vector<char> all(static_cast<std::size_t>(total));
    check_mpi(MPI_Gatherv(bytes.data(), mine, MPI_BYTE, all.data(), counts.data(), displacements.data(), MPI_BYTE, root,
                          MPI_COMM_WORLD),
              "MPI_Gatherv");
    std::vector<std::vector<char>> out;
    for (std::size_t r = 0; r < counts.size(); ++r)
      out.emplace_back(all.begin() + displacements[r], all.begin() + displacements[r] + counts[r]);
    return out;
  }

  [[noreturn]] void abort(int exit_code) override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);  // MPI_Abort does not return; this line only satisfies [[noreturn]]
  }

 private:
  void all_reduce_cuda(Tensor& t) {
#ifdef REVGAN_WITH_NCCL
    if (!nccl_) nccl_ = std::make_unique<NcclGroup>(*this, t.device().index);
    nccl_->all_reduce_sum(t);
#else
    // No NCCL in this build: through host memory.
    Tensor host = t.to(Device::cpu());
    all_reduce_sum(host);
    t.copy_from(host);
#endif
  }

  int rank_ = 0, size_ = 1;
  bool owns_mpi_ = false;
#ifdef REVGAN_WITH_NCCL
  std::unique_ptr<NcclGroup> nccl_;
#else
  struct NoNccl {
    std::string describe() const { return {}; }
  };
  std::unique_ptr<NoNccl> nccl_;
#endif
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(int* argc, char*** argv) {
  return std::make_unique<MpiCommunicator>(argc, argv);
}

}  // namespace revgan::distributed
