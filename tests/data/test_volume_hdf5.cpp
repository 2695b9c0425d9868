// HDF5 volumes: round trip with geometry and intensity attributes, D x H x W datasets,
// several volumes in one file, and errors naming the file and dataset.
#include <catch2/catch.hpp>

#include <hdf5.h>

#include "data/volume/hdf5_volume.hpp"
#include "data/volume/intensity.hpp"
#include "engine/io/hdf5_handle.hpp"
#include "tests/data/data_test_util.hpp"
#include "tests/data/volume_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using revgan::test::TempDir;
using Catch::Contains;

TEST_CASE("HDF5 volumes round trip with spacing, geometry and intensity scale", "[data]") {
  TempDir dir("h5-roundtrip");
  Volume v = normalise(test::ramp_volume(2, {4, 5, 6}));
  v.geometry = test::oblique_geometry();
  const auto path = dir / "vols.h5";
  write_hdf5_volume(path, "hr", v);
  write_hdf5_volume(path, "group/lr", test::ramp_volume(1, {2, 2, 3}));  // same file, nested name
  const Volume back = read_hdf5_volume(path, "hr");
  REQUIRE(back.channels == 2);
  REQUIRE(back.size() == Axes3{4, 5, 6});
  REQUIRE(back.data == v.data);
  REQUIRE(back.geometry.spacing == v.geometry.spacing);
  REQUIRE(back.geometry.qform == v.geometry.qform);
  REQUIRE(back.geometry.sform == v.geometry.sform);
  REQUIRE(back.geometry.qform_code == 1);
  REQUIRE(back.geometry.sform_code == 4);
  REQUIRE(back.intensity.normalised);
  REQUIRE(back.intensity.low == v.intensity.low);
  REQUIRE(back.intensity.high == v.intensity.high);
  REQUIRE(denormalise(back).data == denormalise(v).data);

  const Volume lr = read_hdf5_volume(path, "group/lr");
  REQUIRE(lr.size() == Axes3{2, 2, 3});
  REQUIRE_FALSE(lr.intensity.normalised);

  // Rewriting a dataset replaces it.
  write_hdf5_volume(path, "hr", test::ramp_volume(1, {3, 3, 3}));
  REQUIRE(read_hdf5_volume(path, "hr").size() == Axes3{3, 3, 3});
}

TEST_CASE("a D x H x W integer HDF5 dataset reads as one channel", "[data]") {
  TempDir dir("h5-3d");
  const auto path = dir / "raw.hdf5";
  {
    io::H5Handle file = io::h5_file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    const hsize_t dims[3] = {2, 3, 4};
    io::H5Handle space = io::h5_space(H5Screate_simple(3, dims, nullptr));
    io::H5Handle ds = io::h5_dataset(
        H5Dcreate2(file.get(), "volume", H5T_STD_I16LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    std::vector<int16_t> values(24);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int16_t>(i * 100 - 1000);
    REQUIRE(H5Dwrite(ds.get(), H5T_NATIVE_INT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  }
  const Volume v = read_hdf5_volume(path);
  REQUIRE(v.channels == 1);
  REQUIRE(v.size() == Axes3{2, 3, 4});
  REQUIRE(v.at(0, 1, 2, 3) == 23 * 100 - 1000);
  REQUIRE(v.geometry.spacing == std::array<double, 3>{1.0, 1.0, 1.0});
}

TEST_CASE("HDF5 volume errors name the file and dataset", "[data]") {
  TempDir dir("h5-bad");
  const auto path = dir / "v.h5";
  write_hdf5_volume(path, "volume", test::ramp_volume(1, {2, 2, 2}));
  REQUIRE_THROWS_WITH(read_hdf5_volume(path, "missing"), Contains(path.string()) && Contains("'missing'"));
  REQUIRE_THROWS_WITH(read_hdf5_volume(path, "volume", 4), Contains(path.string()) && Contains("larger than"));
  test::write_text(dir / "junk.h5", "not hdf5");
  REQUIRE_THROWS_WITH(read_hdf5_volume(dir / "junk.h5"), Contains((dir / "junk.h5").string()));
  REQUIRE_THROWS_WITH(read_hdf5_volume(dir / "absent.h5"), Contains("absent.h5") && Contains("does not exist"));
}
