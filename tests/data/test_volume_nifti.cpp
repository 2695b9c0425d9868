// NIfTI reading and writing: lossless float round trips with geometry (.nii and .nii.gz),
// int16 with scl_slope / scl_inter, and errors that name the file and the problem.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "data/volume/nifti_io.hpp"
#include "data/volume/procedural_volume.hpp"
#include "tests/data/data_test_util.hpp"
#include "tests/data/volume_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using revgan::test::TempDir;
using Catch::Contains;

namespace {

void require_same_geometry(const VolumeGeometry& a, const VolumeGeometry& b) {
  for (std::size_t i = 0; i < 3; ++i) REQUIRE(a.spacing[i] == Approx(b.spacing[i]));
  REQUIRE(a.qform_code == b.qform_code);
  REQUIRE(a.sform_code == b.sform_code);
  REQUIRE(a.xyz_units == b.xyz_units);
  // NIfTI-1 stores the transforms in float32 (the qform as a quaternion).
  REQUIRE(test::max_affine_diff(a.qform, b.qform) < 1e-4);
  REQUIRE(test::max_affine_diff(a.sform, b.sform) < 1e-4);
}

// Patches the int16 at `offset` of a NIfTI-1 header (little-endian on the test machines).
void patch_short(const std::filesystem::path& path, std::streamoff offset, int16_t value) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(offset);
  f.write(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

TEST_CASE("NIfTI float32 volumes round trip with their geometry, plain and gzip", "[data]") {
  TempDir dir("nifti-roundtrip");
  Volume v = test::ramp_volume(2, {5, 6, 7});
  v.data[3] = -1234.5f;
  v.geometry = test::oblique_geometry();
  for (const char* name : {"vol.nii", "vol.nii.gz"}) {
    const auto path = dir / name;
    write_nifti(path, v);
    const Volume back = read_nifti(path);
    REQUIRE(back.channels == 2);
    REQUIRE(back.depth == 5);
    REQUIRE(back.height == 6);
    REQUIRE(back.width == 7);
    REQUIRE(back.data == v.data);
    require_same_geometry(back.geometry, v.geometry);
  }
  // gzip actually compresses the smooth ramp.
  REQUIRE(std::filesystem::file_size(dir / "vol.nii.gz") < std::filesystem::file_size(dir / "vol.nii"));
}

TEST_CASE("an explicit geometry is written in place of the volume's own", "[data]") {
  TempDir dir("nifti-geometry");
  const Volume v = make_procedural_volume({.size = {8, 9, 10}, .seed = 3});
  const VolumeGeometry g = test::oblique_geometry();
  write_nifti(dir / "out.nii.gz", v, g);
  const Volume back = read_nifti(dir / "out.nii.gz");
  require_same_geometry(back.geometry, g);
  REQUIRE(back.data == v.data);
}

TEST_CASE("int16 NIfTI with scl_slope and scl_inter reads back in real units", "[data]") {
  TempDir dir("nifti-int16");
  Volume v = Volume::blank(1, 3, 4, 5);
  for (std::size_t i = 0; i < v.data.size(); ++i) v.data[i] = 10.0f + 0.5f * static_cast<float>(i) - 20.0f;
  const NiftiWriteOptions int16{NiftiDatatype::int16, 0.5, 10.0};
  write_nifti(dir / "s.nii", v, int16);
  // 348-byte header and 4-byte extension flag, then 2 bytes per voxel: stored as int16.
  REQUIRE(std::filesystem::file_size(dir / "s.nii") == 352 + 2 * v.data.size());
  const Volume back = read_nifti(dir / "s.nii");
  REQUIRE(back.data == v.data);

  for (NiftiDatatype t : {NiftiDatatype::uint8, NiftiDatatype::int32, NiftiDatatype::float64}) {
    Volume small = Volume::blank(1, 2, 2, 2);
    for (std::size_t i = 0; i < small.data.size(); ++i) small.data[i] = static_cast<float>(i * 3);
    write_nifti(dir / "t.nii.gz", small, {t, 1.0, 0.0});
    REQUIRE(read_nifti(dir / "t.nii.gz").data == small.data);
  }

  v.data[7] = 1e6f;  // (1e6 - 10) / 0.5 does not fit int16
  const auto bad = dir / "overflow.nii";
  REQUIRE_THROWS_WITH(write_nifti(bad, v, int16), Contains(bad.string()) && Contains("does not fit"));
}

TEST_CASE("an unsupported NIfTI datatype is named with the file", "[data]") {
  TempDir dir("nifti-datatype");
  const auto path = dir / "rgb.nii";
  write_nifti(path, Volume::blank(1, 2, 3, 4, 1.0f));
  patch_short(path, 70, 128);  // datatype: DT_RGB24
  patch_short(path, 72, 24);   // bitpix
  REQUIRE_THROWS_WITH(read_nifti(path), Contains(path.string()) && Contains("RGB24") && Contains("not supported"));
}

TEST_CASE("truncated, oversized, missing and misnamed NIfTI files fail with the file named", "[data]") {
  TempDir dir("nifti-bad");
  const auto path = dir / "cut.nii";
  write_nifti(path, Volume::blank(1, 8, 8, 8, 2.0f));
  std::filesystem::resize_file(path, 352 + 100);
  REQUIRE_THROWS_WITH(read_nifti(path), Contains(path.string()) && Contains("truncated"));

  write_nifti(dir / "big.nii", Volume::blank(1, 8, 8, 8));
  REQUIRE_THROWS_WITH(read_nifti(dir / "big.nii", {.max_voxels = 100}),
                      Contains((dir / "big.nii").string()) && Contains("too large"));

  test::write_text(dir / "junk.nii", "this is not a NIfTI header");
  REQUIRE_THROWS_WITH(read_nifti(dir / "junk.nii"), Contains((dir / "junk.nii").string()));
  REQUIRE_THROWS_WITH(read_nifti(dir / "absent.nii"), Contains("absent.nii") && Contains("does not exist"));
  REQUIRE_THROWS_WITH(write_nifti(dir / "vol.img", Volume::blank(1, 2, 2, 2)), Contains(".nii or .nii.gz"));
  REQUIRE_THROWS_WITH(write_nifti(dir / "nowhere" / "v.nii", Volume::blank(1, 2, 2, 2)),
                      Contains("does not exist"));
}
