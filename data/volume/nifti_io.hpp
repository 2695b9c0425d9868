// NIfTI-1 / NIfTI-2 volumes (.nii, .nii.gz) through the nifti2 C library.
#pragma once

#include <cstdint>
#include <filesystem>

#include "data/volume/volume.hpp"

namespace revgan::data {

struct NiftiReadOptions {
  // Larger volumes are refused from the header alone, before any voxel buffer is allocated:
  // a gzip file of a few bytes can otherwise declare gigabytes.
  int64_t max_voxels = int64_t{1} << 28;
};

// uint8, int16, int32, float32 and float64 voxels, scaled by scl_slope / scl_inter when the
// slope is non-zero; 3D files give one channel and a 4th dimension becomes the channels.
// Errors name the file and the problem (unsupported datatype, 5+ dimensions, truncated data,
// non-finite voxel values).
Volume read_nifti(const std::filesystem::path& path, const NiftiReadOptions& options = {});

// How voxels are stored on disk: value = stored * slope + inter. Integer types round and
// refuse values outside their range rather than clamp them.
enum class NiftiDatatype { uint8, int16, int32, float32, float64 };
struct NiftiWriteOptions {
  NiftiDatatype datatype = NiftiDatatype::float32;
  double scl_slope = 1.0;
  double scl_inter = 0.0;
};

// NIfTI-1, gzip-compressed when the name ends in .nii.gz; the qform, sform, spacing and
// units of `geometry` are written as given (the volume's own geometry by default).
void write_nifti(const std::filesystem::path& path, const Volume& volume, const NiftiWriteOptions& options = {});
void write_nifti(const std::filesystem::path& path, const Volume& volume, const VolumeGeometry& geometry,
                 const NiftiWriteOptions& options = {});

bool has_nifti_extension(const std::filesystem::path& path);  // .nii or .nii.gz, any case

}  // namespace revgan::data
