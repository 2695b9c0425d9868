// HDF5 volume I/O through the engine's HDF5 layer (engine/io/hdf5_file.hpp): the voxels are one
// checksummed float32 dataset with the geometry and intensity mapping as attributes; HDF5's own
// error printing is silenced and every failure names the file and dataset.
#include "data/volume/hdf5_volume.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <vector>

#include "engine/core/check.hpp"
#include "engine/io/hdf5_file.hpp"

namespace revgan::data {

namespace {

namespace fs = std::filesystem;
using io::H5Handle;

struct Where {
  std::string file;
  std::string dataset;
  // "HDF5 volume 'f.h5', dataset 'volume'": how io::H5Reader / H5Writer name the object.
  std::string context() const { return fmt::format("HDF5 volume '{}', dataset '{}'", file, dataset); }
};

std::vector<double> flat(const Affine& a) {
  std::vector<double> v;
  for (const auto& row : a) v.insert(v.end(), row.begin(), row.end());
  return v;
}

Affine to_affine(const std::vector<double>& v) {
  Affine a{};
  for (std::size_t r = 0; r < 4; ++r)
    for (std::size_t c = 0; c < 4; ++c) a[r][c] = v[r * 4 + c];
  return a;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

bool has_hdf5_extension(const fs::path& path) {
  const std::string ext = lower(path.extension().string());
  return ext == ".h5" || ext == ".hdf5";
}

Volume read_hdf5_volume(const fs::path& path, const std::string& dataset, int64_t max_voxels) {
  const Where where{path.string(), dataset};
  std::error_code ec;
  REVGAN_CHECK(fs::is_regular_file(path, ec), "HDF5 file {} does not exist", where.file);
  io::H5ErrorSilencer quiet;
  H5Handle file = io::h5_file(H5Fopen(where.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  REVGAN_CHECK(file, "cannot open {}: not an HDF5 file, or unreadable", where.file);
  REVGAN_CHECK(H5Lexists(file.get(), dataset.c_str(), H5P_DEFAULT) > 0, "{} has no dataset '{}'", where.file, dataset);
  H5Handle ds = io::h5_dataset(H5Dopen2(file.get(), dataset.c_str(), H5P_DEFAULT));
  REVGAN_CHECK(ds, "cannot open dataset '{}' of {} (is it a group?)", dataset, where.file);
  H5Handle type = io::h5_type(H5Dget_type(ds.get()));
  const H5T_class_t cls = type ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  REVGAN_CHECK(cls == H5T_INTEGER || cls == H5T_FLOAT, "dataset '{}' of {} is not numeric", dataset, where.file);

  H5Handle space = io::h5_space(H5Dget_space(ds.get()));
  const int rank = space ? H5Sget_simple_extent_ndims(space.get()) : -1;
  REVGAN_CHECK(rank == 3 || rank == 4, "dataset '{}' of {} has rank {}; volumes are C x D x H x W or D x H x W",
               dataset, where.file, rank);
  hsize_t dims[4] = {1, 1, 1, 1};
  H5Sget_simple_extent_dims(space.get(), dims + (4 - rank), nullptr);
  int64_t voxels = 1;
  for (hsize_t d : dims) {
    REVGAN_CHECK(d >= 1 && static_cast<int64_t>(d) <= max_voxels / voxels,
                 "dataset '{}' of {} is empty or larger than {} voxels", dataset, where.file, max_voxels);
    voxels *= static_cast<int64_t>(d);
  }

  Volume v = Volume::blank(static_cast<int64_t>(dims[0]), static_cast<int64_t>(dims[1]), static_cast<int64_t>(dims[2]),
                           static_cast<int64_t>(dims[3]));
  REVGAN_CHECK(H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data.data()) >= 0,
               "cannot read the voxels of dataset '{}' of {}: {}", dataset, where.file, io::H5Reader::damage_hint(ds.get()));
  const auto bad = std::find_if(v.data.begin(), v.data.end(), [](float x) { return !std::isfinite(x); });
  REVGAN_CHECK(bad == v.data.end(), "dataset '{}' of {} has a non-finite value at index {}", dataset, where.file,
               bad - v.data.begin());

  const io::H5Reader reader(where.context());
  if (auto s = reader.read_doubles_attribute(ds.get(), "spacing", 3)) v.geometry.spacing = {(*s)[0], (*s)[1], (*s)[2]};
  v.geometry.qform = v.geometry.sform = scaling_affine(v.geometry.spacing);
  if (auto q = reader.read_doubles_attribute(ds.get(), "qform", 16)) v.geometry.qform = to_affine(*q);
  if (auto s = reader.read_doubles_attribute(ds.get(), "sform", 16)) v.geometry.sform = to_affine(*s);
  if (auto c = reader.read_doubles_attribute(ds.get(), "qform_code", 1)) v.geometry.qform_code = static_cast<int>((*c)[0]);
  if (auto c = reader.read_doubles_attribute(ds.get(), "sform_code", 1)) v.geometry.sform_code = static_cast<int>((*c)[0]);
  if (auto u = reader.read_doubles_attribute(ds.get(), "xyz_units", 1)) v.geometry.xyz_units = static_cast<int>((*u)[0]);
  const auto low = reader.read_doubles_attribute(ds.get(), "intensity_low", 1);
  const auto high = reader.read_doubles_attribute(ds.get(), "intensity_high", 1);
  REVGAN_CHECK(low.has_value() == high.has_value(),
               "dataset '{}' of {} has only one of intensity_low and intensity_high", dataset, where.file);
  if (low) {
    REVGAN_CHECK((*high)[0] > (*low)[0], "dataset '{}' of {} has an empty intensity range [{}, {}]", dataset,
                 where.file, (*low)[0], (*high)[0]);
    v.intensity = {true, (*low)[0], (*high)[0]};
  }
  return v;
}

void write_hdf5_volume(const fs::path& path, const std::string& dataset, const Volume& volume) {
  const Where where{path.string(), dataset};
  REVGAN_CHECK(!dataset.empty(), "cannot write {}: empty dataset name", where.file);
  REVGAN_CHECK(volume.numel() > 0 && volume.data.size() == static_cast<std::size_t>(volume.numel()),
               "cannot write {}: the volume is empty or its data does not match {}x{}x{}x{}", where.file,
               volume.channels, volume.depth, volume.height, volume.width);
  const fs::path parent = path.parent_path();
  std::error_code ec;
  REVGAN_CHECK(parent.empty() || fs::is_directory(parent, ec), "cannot write {}: folder {} does not exist",
               where.file, parent.string());
  io::H5ErrorSilencer quiet;
  H5Handle file = io::h5_file(fs::exists(path, ec) ? H5Fopen(where.file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)
                                                   : H5Fcreate(where.file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT,
                                                               H5P_DEFAULT));
  REVGAN_CHECK(file, "cannot open {} for writing (not an HDF5 file, or no permission)", where.file);
  if (H5Lexists(file.get(), dataset.c_str(), H5P_DEFAULT) > 0)
    REVGAN_CHECK(H5Ldelete(file.get(), dataset.c_str(), H5P_DEFAULT) >= 0, "cannot replace dataset '{}' in {}",
                 dataset, where.file);

  const io::H5Writer writer(where.context());
  H5Handle ds = writer.write_array(file.get(), dataset, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, volume.data.data(),
                                   {static_cast<hsize_t>(volume.channels), static_cast<hsize_t>(volume.depth),
                                    static_cast<hsize_t>(volume.height), static_cast<hsize_t>(volume.width)});
  const VolumeGeometry& g = volume.geometry;
  writer.write_attribute(ds.get(), "spacing", std::vector<double>(g.spacing.begin(), g.spacing.end()), {3});
  writer.write_attribute(ds.get(), "qform", flat(g.qform), {4, 4});
  writer.write_attribute(ds.get(), "sform", flat(g.sform), {4, 4});
  writer.write_attribute(ds.get(), "qform_code", static_cast<int32_t>(g.qform_code));
  writer.write_attribute(ds.get(), "sform_code", static_cast<int32_t>(g.sform_code));
  writer.write_attribute(ds.get(), "xyz_units", static_cast<int32_t>(g.xyz_units));
  if (volume.intensity.normalised) {
    writer.write_attribute(ds.get(), "intensity_low", std::vector<double>{volume.intensity.low}, {1});
    writer.write_attribute(ds.get(), "intensity_high", std::vector<double>{volume.intensity.high}, {1});
  }
  ds.reset();
  REVGAN_CHECK(file.close(), "cannot finish writing {} (disk full?)", where.file);
}

}  // namespace revgan::data
