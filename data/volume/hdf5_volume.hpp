// Volumes in HDF5 files: one dataset of C x D x H x W (or D x H x W) voxels, with spacing,
// geometry and intensity normalisation as attributes of the dataset.
#pragma once

#include <filesystem>
#include <string>

#include "data/volume/volume.hpp"

namespace revgan::data {

// Attributes (all optional when reading): "spacing" (3 doubles, D H W order), "qform" and
// "sform" (4x4 doubles) with "qform_code" and "sform_code", "xyz_units", and, for a
// normalised volume, "intensity_low" and "intensity_high". Any integer or float datatype is
// read (converted to float32); non-finite values are refused.
Volume read_hdf5_volume(const std::filesystem::path& path, const std::string& dataset = "volume",
                        int64_t max_voxels = int64_t{1} << 28);

// Writes [C, D, H, W] float32 with the attributes above. An existing file is kept (its other
// datasets too) and an existing dataset of the same name is replaced.
void write_hdf5_volume(const std::filesystem::path& path, const std::string& dataset, const Volume& volume);

bool has_hdf5_extension(const std::filesystem::path& path);  // .h5 or .hdf5, any case

}  // namespace revgan::data
