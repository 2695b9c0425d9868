// NIfTI reading and writing on top of libnifti2: the header is read and validated first
// (datatype, dimensions, size limits, voxel bytes present) so that a hostile or truncated
// file fails with a named error before the library allocates or reads voxel data. The raw
// header bytes are checked even before the library parses them, for its own bugs (found by
// tools/fuzz/fuzz_nifti_reader).
#include "data/volume/nifti_io.hpp"

#include <nifti2_io.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

#include "engine/core/check.hpp"

namespace revgan::data {

namespace {

namespace fs = std::filesystem;

struct NiftiFree {
  void operator()(nifti_image* image) const { nifti_image_free(image); }
};
using NiftiImagePtr = std::unique_ptr<nifti_image, NiftiFree>;

// The library reports failures on stderr; ours name the file instead.
void quiet_library() { nifti_set_debug_level(0); }

// The first `size` bytes of the header file, read the way the library will read them
// (through zlib when the name says gzip).
std::size_t read_head(const char* file, unsigned char* buffer, std::size_t size) {
  if (nifti_is_gzfile(file)) {
    std::unique_ptr<gzFile_s, decltype(&gzclose)> gz(gzopen(file, "rb"), &gzclose);
    if (!gz) return 0;
    const int got = gzread(gz.get(), buffer, static_cast<unsigned>(size));
    return got > 0 ? static_cast<std::size_t>(got) : 0;
  }
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(file, "rb"), &std::fclose);
  return f ? std::fread(buffer, 1, size, f.get()) : 0;
}

// libnifti2 3.0.1 indexes the 8-entry dim array of a NIfTI-2 header with its dim[0] without a
// range check (writing far past it on the stack); NIfTI-1 headers are range-checked by the
// library itself. Its ASCII header variant is refused outright: no scanner writes it, and its
// parser is one more surface for hostile files.
void check_raw_header(const std::string& name) {
  std::unique_ptr<char, decltype(&std::free)> header_file(nifti_findhdrname(name.c_str()), &std::free);
  if (!header_file) return;  // the library will fail to find it as well
  std::array<unsigned char, sizeof(nifti_2_header)> head{};
  const std::size_t got = read_head(header_file.get(), head.data(), head.size());
  constexpr char ascii_magic[] = "<nifti_image";
  REVGAN_CHECK(got < sizeof ascii_magic - 1 || std::memcmp(head.data(), ascii_magic, sizeof ascii_magic - 1) != 0,
               "NIfTI {} uses the ASCII header format, which is not supported", name);
  if (got < head.size()) return;
  nifti_2_header hdr;
  std::memcpy(&hdr, head.data(), sizeof hdr);
  const bool swapped = hdr.sizeof_hdr == 469893120;  // 540 in the other byte order
  if (hdr.sizeof_hdr != 540 && !swapped) return;
  int64_t dim0 = hdr.dim[0];
  if (swapped) nifti_swap_8bytes(1, &dim0);
  REVGAN_CHECK(dim0 >= 0 && dim0 <= 7, "NIfTI {} is corrupt: its NIfTI-2 header declares {} dimensions", name, dim0);
}

bool supported_datatype(int datatype) {
  return datatype == DT_UINT8 || datatype == DT_INT16 || datatype == DT_INT32 || datatype == DT_FLOAT32 ||
         datatype == DT_FLOAT64;
}

void check_datatype(const nifti_image& nim, const std::string& name) {
  REVGAN_CHECK(supported_datatype(nim.datatype),
               "NIfTI {} has datatype {} (code {}), which is not supported (uint8, int16, int32, float32 or float64)",
               name, nifti_datatype_to_string(nim.datatype), nim.datatype);
  int nbyper = 0, swapsize = 0;
  nifti_datatype_sizes(nim.datatype, &nbyper, &swapsize);
  REVGAN_CHECK(nim.nbyper == nbyper, "NIfTI {} is corrupt: {} bytes per voxel for datatype {}", name, nim.nbyper,
               nifti_datatype_to_string(nim.datatype));
}

// [C, D, H, W] from (nt, nz, ny, nx); refuses 5+ dimensions and sizes past the limit.
std::array<int64_t, 4> checked_shape(const nifti_image& nim, const std::string& name, int64_t max_voxels) {
  REVGAN_CHECK(nim.ndim >= 1 && nim.ndim <= 7, "NIfTI {} is corrupt: {} dimensions", name, nim.ndim);
  // Extents past ndim are meaningless (often 0) and stand for 1.
  int64_t extents[7] = {nim.nx, nim.ny, nim.nz, nim.nt, nim.nu, nim.nv, nim.nw};
  for (int64_t i = 0; i < 7; ++i) {
    if (i >= nim.ndim) extents[i] = 1;
    REVGAN_CHECK(extents[i] >= 1, "NIfTI {} is corrupt: dimension {} has size {}", name, i + 1, extents[i]);
  }
  REVGAN_CHECK(extents[4] == 1 && extents[5] == 1 && extents[6] == 1,
               "NIfTI {} has {} dimensions ({}x{}x{}x{}x{}x{}x{}); volumes have at most 4 (x, y, z, channels)", name,
               nim.ndim, extents[0], extents[1], extents[2], extents[3], extents[4], extents[5], extents[6]);
  int64_t voxels = 1;
  for (int i = 0; i < 4; ++i) {
    REVGAN_CHECK(extents[i] <= max_voxels / voxels, "NIfTI {} is too large: {}x{}x{}x{} is more than {} voxels", name,
                 extents[0], extents[1], extents[2], extents[3], max_voxels);
    voxels *= extents[i];
  }
  // The library sizes its voxel buffer by nvox; the conversion below reads `voxels` values.
  REVGAN_CHECK(nim.nvox == voxels, "NIfTI {} is corrupt: {} voxels declared for {}x{}x{}x{}", name, nim.nvox,
               extents[0], extents[1], extents[2], extents[3]);
  return {extents[3], extents[2], extents[1], extents[0]};
}

// Uncompressed data must be in the file before the library allocates a buffer for it.
void check_voxel_bytes_present(const nifti_image& nim, const std::string& name) {
  REVGAN_CHECK(nim.iname != nullptr && nim.iname_offset >= 0, "NIfTI {} is corrupt: no voxel data location", name);
  if (nifti_is_gzfile(nim.iname)) return;  // bounded by max_voxels instead
  const int64_t file_size = nifti_get_filesize(nim.iname);
  const int64_t needed = nim.nvox * nim.nbyper;
  REVGAN_CHECK(file_size >= 0 && nim.iname_offset <= file_size && needed <= file_size - nim.iname_offset,
               "NIfTI {} is truncated: {} bytes of voxels declared at offset {}, but {} holds {} bytes", name, needed,
               nim.iname_offset, nim.iname, file_size);
}

template <class T>
void convert(const void* source, std::vector<float>& out, bool scaled, double slope, double inter,
             const std::string& name) {
  const T* p = static_cast<const T*>(source);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double v = scaled ? static_cast<double>(p[i]) * slope + inter : static_cast<double>(p[i]);
    const auto f = static_cast<float>(v);
    REVGAN_CHECK(std::isfinite(f), "NIfTI {} has a voxel value ({}) at index {} that is not a finite float32", name, v, i);
    out[i] = f;
  }
}

Affine to_affine(const nifti_dmat44& m) {
  Affine a{};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) a[r][c] = m.m[r][c];
  return a;
}

nifti_dmat44 to_dmat44(const Affine& a) {
  nifti_dmat44 m{};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) m.m[r][c] = a[r][c];
  return m;
}

double positive_or_one(double spacing) {
  spacing = std::abs(spacing);
  return std::isfinite(spacing) && spacing > 0 ? spacing : 1.0;
}

VolumeGeometry geometry_of(const nifti_image& nim) {
  VolumeGeometry g;
  g.spacing = {positive_or_one(nim.dz), positive_or_one(nim.dy), positive_or_one(nim.dx)};
  g.qform_code = nim.qform_code;
  g.qform = to_affine(nim.qto_xyz);
  g.sform_code = nim.sform_code;
  g.sform = to_affine(nim.sto_xyz);
  g.xyz_units = nim.xyz_units;
  return g;
}

int datatype_code(NiftiDatatype t) {
  switch (t) {
    case NiftiDatatype::uint8: return DT_UINT8;
    case NiftiDatatype::int16: return DT_INT16;
    case NiftiDatatype::int32: return DT_INT32;
    case NiftiDatatype::float32: return DT_FLOAT32;
    case NiftiDatatype::float64: return DT_FLOAT64;
  }
  return DT_UNKNOWN;
}

template <class T>
void store(const Volume& volume, void* destination, const NiftiWriteOptions& options, const std::string& name) {
  T* out = static_cast<T*>(destination);
  for (std::size_t i = 0; i < volume.data.size(); ++i) {
    double stored = (static_cast<double>(volume.data[i]) - options.scl_inter) / options.scl_slope;
    if constexpr (std::is_integral_v<T>) {
      stored = std::nearbyint(stored);
      REVGAN_CHECK(stored >= static_cast<double>(std::numeric_limits<T>::min()) &&
                       stored <= static_cast<double>(std::numeric_limits<T>::max()),
                   "cannot write {}: voxel {} (value {}) does not fit the datatype with slope {} and intercept {}",
                   name, i, volume.data[i], options.scl_slope, options.scl_inter);
    }
    out[i] = static_cast<T>(stored);
  }
}

void set_geometry(nifti_image& nim, const VolumeGeometry& g) {
  nim.dx = nim.pixdim[1] = g.spacing[2];
  nim.dy = nim.pixdim[2] = g.spacing[1];
  nim.dz = nim.pixdim[3] = g.spacing[0];
  nim.xyz_units = g.xyz_units;
  nim.qform_code = g.qform_code;
  if (g.qform_code > 0) {
    // The header stores the qform as a quaternion, offsets and qfac; the library rebuilds
    // qto_xyz from those (with pixdim as the spacing) on reading.
    nim.qto_xyz = to_dmat44(g.qform);
    double dx = 0, dy = 0, dz = 0;
    nifti_dmat44_to_quatern(nim.qto_xyz, &nim.quatern_b, &nim.quatern_c, &nim.quatern_d, &nim.qoffset_x,
                            &nim.qoffset_y, &nim.qoffset_z, &dx, &dy, &dz, &nim.qfac);
    nim.pixdim[0] = nim.qfac;
    nim.qto_ijk = nifti_dmat44_inverse(nim.qto_xyz);
  }
  nim.sform_code = g.sform_code;
  if (g.sform_code > 0) {
    nim.sto_xyz = to_dmat44(g.sform);
    nim.sto_ijk = nifti_dmat44_inverse(nim.sto_xyz);
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

bool has_nifti_extension(const fs::path& path) {
  const std::string name = lower(path.filename().string());
  return name.ends_with(".nii") || name.ends_with(".nii.gz");
}

Volume read_nifti(const fs::path& path, const NiftiReadOptions& options) {
  const std::string name = path.string();
  std::error_code ec;
  REVGAN_CHECK(fs::exists(path, ec), "NIfTI file {} does not exist", name);
  REVGAN_CHECK(fs::is_regular_file(path, ec), "NIfTI path {} is not a regular file", name);
  quiet_library();
  check_raw_header(name);

  // Header only (read_data = 0); the voxels are loaded once the header has passed the checks.
  NiftiImagePtr nim(nifti_image_read(name.c_str(), 0));
  REVGAN_CHECK(nim != nullptr, "cannot read NIfTI {}: not a NIfTI-1 or NIfTI-2 file, or its header is corrupt", name);
  check_datatype(*nim, name);
  const auto shape = checked_shape(*nim, name, options.max_voxels);
  check_voxel_bytes_present(*nim, name);
  REVGAN_CHECK(nifti_image_load(nim.get()) == 0 && nim->data != nullptr,
               "cannot read the voxels of NIfTI {}: the file is truncated or unreadable", name);

  Volume v = Volume::blank(shape[0], shape[1], shape[2], shape[3]);
  // NIfTI: a slope of 0 (or a non-finite one) means the stored values are the values.
  const bool scaled = std::isfinite(nim->scl_slope) && nim->scl_slope != 0.0;
  const double inter = std::isfinite(nim->scl_inter) ? nim->scl_inter : 0.0;
  switch (nim->datatype) {
    case DT_UINT8: convert<uint8_t>(nim->data, v.data, scaled, nim->scl_slope, inter, name); break;
    case DT_INT16: convert<int16_t>(nim->data, v.data, scaled, nim->scl_slope, inter, name); break;
    case DT_INT32: convert<int32_t>(nim->data, v.data, scaled, nim->scl_slope, inter, name); break;
    case DT_FLOAT32: convert<float>(nim->data, v.data, scaled, nim->scl_slope, inter, name); break;
    case DT_FLOAT64: convert<double>(nim->data, v.data, scaled, nim->scl_slope, inter, name); break;
    default: REVGAN_FAIL("NIfTI {}: datatype {} slipped past the check", name, nim->datatype);
  }
  v.geometry = geometry_of(*nim);
  return v;
}

void write_nifti(const fs::path& path, const Volume& volume, const NiftiWriteOptions& options) {
  write_nifti(path, volume, volume.geometry, options);
}

void write_nifti(const fs::path& path, const Volume& volume, const VolumeGeometry& geometry,
                 const NiftiWriteOptions& options) {
  const std::string name = path.string();
  REVGAN_CHECK(has_nifti_extension(path), "cannot write {}: NIfTI file names end in .nii or .nii.gz", name);
  REVGAN_CHECK(volume.numel() > 0 && volume.data.size() == static_cast<std::size_t>(volume.numel()),
               "cannot write {}: the volume is empty or its data does not match {}x{}x{}x{}", name, volume.channels,
               volume.depth, volume.height, volume.width);
  constexpr int64_t max_extent = std::numeric_limits<int16_t>::max();  // NIfTI-1 dims are shorts
  for (int64_t e : {volume.channels, volume.depth, volume.height, volume.width})
    REVGAN_CHECK(e <= max_extent, "cannot write {}: extent {} exceeds NIfTI-1's {}", name, e, max_extent);
  REVGAN_CHECK(std::isfinite(options.scl_slope) && options.scl_slope != 0.0 && std::isfinite(options.scl_inter),
               "cannot write {}: scl_slope must be finite and non-zero and scl_inter finite (got {} and {})", name,
               options.scl_slope, options.scl_inter);
  const fs::path parent = path.parent_path();
  std::error_code ec;
  REVGAN_CHECK(parent.empty() || fs::is_directory(parent, ec), "cannot write {}: folder {} does not exist", name,
               parent.string());
  quiet_library();

  const int64_t dims[8] = {volume.channels > 1 ? 4 : 3, volume.width, volume.height, volume.depth, volume.channels,
                           1, 1, 1};
  NiftiImagePtr nim(nifti_make_new_nim(dims, datatype_code(options.datatype), 1));
  REVGAN_CHECK(nim != nullptr && nim->data != nullptr, "cannot write {}: out of memory for the NIfTI image", name);
  switch (options.datatype) {
    case NiftiDatatype::uint8: store<uint8_t>(volume, nim->data, options, name); break;
    case NiftiDatatype::int16: store<int16_t>(volume, nim->data, options, name); break;
    case NiftiDatatype::int32: store<int32_t>(volume, nim->data, options, name); break;
    case NiftiDatatype::float32: store<float>(volume, nim->data, options, name); break;
    case NiftiDatatype::float64: store<double>(volume, nim->data, options, name); break;
  }
  nim->scl_slope = options.scl_slope;
  nim->scl_inter = options.scl_inter;
  set_geometry(*nim, geometry);
  REVGAN_CHECK(nifti_set_filenames(nim.get(), name.c_str(), 0, 1) == 0, "cannot write {}: bad NIfTI file name", name);

  fs::remove(path, ec);  // so that a failed write cannot leave the old file looking current
  nifti_image_write(nim.get());  // reports nothing back; the file itself is checked below
  const auto written = fs::file_size(path, ec);
  const auto expected = static_cast<uintmax_t>(nim->iname_offset + nim->nvox * nim->nbyper);
  const bool compressed = nifti_is_gzfile(name.c_str()) != 0;
  REVGAN_CHECK(!ec && written > 0 && (compressed || written >= expected),
               "cannot write {}: the NIfTI library failed (disk full or no permission?)", name);
}

}  // namespace revgan::data
