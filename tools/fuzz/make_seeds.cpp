// Writes the seed corpora of the fuzzers: tiny images in every format the reader accepts, tiny
// JPEGs in every coding libjpeg-turbo decodes (baseline, progressive, arithmetic, restart
// markers, gray, CMYK, each chroma subsampling) and tiny NIfTI-1/NIfTI-2 volumes (plain and
// gzip). Run by run_fuzz.sh; seeds stay a few hundred bytes.
#include <stb_image_write.h>
#include <nifti/nifti2_io.h>
// clang-format off
#include <cstdio>
#include <jpeglib.h>
// clang-format on

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/image.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> pattern(int w, int h, int c) {
  std::vector<uint8_t> px(static_cast<std::size_t>(w * h * c));
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>((i * 37 + 11) & 0xFF);
  return px;
}

void write_raw(const fs::path& path, const std::string& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

void image_seeds(const fs::path& dir) {
  fs::create_directories(dir);
  for (int c : {1, 2, 3, 4}) {
    auto px = pattern(5, 4, c);
    stbi_write_png((dir / ("png_c" + std::to_string(c) + ".png")).c_str(), 5, 4, c, px.data(), 5 * c);
    stbi_write_bmp((dir / ("bmp_c" + std::to_string(c) + ".bmp")).c_str(), 5, 4, c, px.data());
    stbi_write_tga_with_rle = 1;
    stbi_write_tga((dir / ("tga_rle_c" + std::to_string(c) + ".tga")).c_str(), 5, 4, c, px.data());
    stbi_write_tga_with_rle = 0;
    stbi_write_tga((dir / ("tga_c" + std::to_string(c) + ".tga")).c_str(), 5, 4, c, px.data());
  }
  for (int c : {1, 3}) {
    auto px = pattern(16, 9, c);
    stbi_write_jpg((dir / ("jpg_c" + std::to_string(c) + ".jpg")).c_str(), 16, 9, c, px.data(), 70);
  }
  revgan::data::Image deep = revgan::data::Image::blank(4, 3, 3, 16);
  for (std::size_t i = 0; i < deep.samples.size(); ++i) deep.samples[i] = static_cast<float>(i * 4099 % 65536);
  revgan::data::write_png(deep, dir / "png16_rgb.png");
  write_raw(dir / "p6.ppm", std::string("P6\n3 2\n255\n") + std::string(18, '\x7f'));
  write_raw(dir / "p5.pgm", std::string("P5 2 2 65535\n") + std::string(8, '\x10'));
}

// One JPEG through libjpeg with `configure` applied after the defaults (a seed tool: libjpeg's
// default error handler may exit).
template <class Configure>
void libjpeg_seed(const fs::path& path, int w, int h, J_COLOR_SPACE space, int components, Configure&& configure) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return;
  jpeg_stdio_dest(&cinfo, f);
  cinfo.image_width = static_cast<JDIMENSION>(w);
  cinfo.image_height = static_cast<JDIMENSION>(h);
  cinfo.input_components = components;
  cinfo.in_color_space = space;
  jpeg_set_defaults(&cinfo);
  configure(cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<uint8_t> px = pattern(w, h, components);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = px.data() + static_cast<std::size_t>(cinfo.next_scanline) * static_cast<std::size_t>(w * components);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::fclose(f);
}

void jpeg_seeds(const fs::path& dir) {
  fs::create_directories(dir);
  const auto quality = [](int q) { return [q](jpeg_compress_struct& c) { jpeg_set_quality(&c, q, TRUE); }; };
  libjpeg_seed(dir / "baseline_420.jpg", 19, 13, JCS_RGB, 3, quality(75));
  libjpeg_seed(dir / "baseline_444.jpg", 9, 17, JCS_RGB, 3, [](jpeg_compress_struct& c) {
    c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = 1;
  });
  libjpeg_seed(dir / "baseline_422.jpg", 17, 9, JCS_RGB, 3, [](jpeg_compress_struct& c) {
    c.comp_info[0].h_samp_factor = 2;
    c.comp_info[0].v_samp_factor = 1;
  });
  libjpeg_seed(dir / "progressive.jpg", 21, 11, JCS_RGB, 3,
               [](jpeg_compress_struct& c) { jpeg_simple_progression(&c); });
  libjpeg_seed(dir / "arithmetic.jpg", 16, 16, JCS_RGB, 3, [](jpeg_compress_struct& c) { c.arith_code = TRUE; });
  libjpeg_seed(dir / "arithmetic_progressive.jpg", 12, 10, JCS_GRAYSCALE, 1, [](jpeg_compress_struct& c) {
    c.arith_code = TRUE;
    jpeg_simple_progression(&c);
  });
  libjpeg_seed(dir / "restart.jpg", 24, 24, JCS_RGB, 3, [](jpeg_compress_struct& c) { c.restart_interval = 1; });
  libjpeg_seed(dir / "optimized.jpg", 14, 14, JCS_RGB, 3, [](jpeg_compress_struct& c) { c.optimize_coding = TRUE; });
  libjpeg_seed(dir / "gray.jpg", 11, 7, JCS_GRAYSCALE, 1, quality(90));
  libjpeg_seed(dir / "cmyk.jpg", 8, 8, JCS_CMYK, 4, [](jpeg_compress_struct& c) { c.write_Adobe_marker = TRUE; });
  libjpeg_seed(dir / "ycck.jpg", 8, 8, JCS_CMYK, 4, [](jpeg_compress_struct& c) { jpeg_set_colorspace(&c, JCS_YCCK); });
  libjpeg_seed(dir / "rgb_no_transform.jpg", 8, 8, JCS_RGB, 3, [](jpeg_compress_struct& c) {
    jpeg_set_colorspace(&c, JCS_RGB);
  });
}

using NiftiPtr = std::unique_ptr<nifti_image, decltype(&nifti_image_free)>;

void nifti_seed(const fs::path& path, std::vector<int64_t> shape, int datatype, int nifti_type, double slope) {
  int64_t dims[8] = {static_cast<int64_t>(shape.size()), 1, 1, 1, 1, 1, 1, 1};
  for (std::size_t i = 0; i < shape.size(); ++i) dims[i + 1] = shape[i];
  NiftiPtr nim(nifti_make_new_nim(dims, datatype, 1), &nifti_image_free);
  if (!nim) return;
  auto* bytes = static_cast<uint8_t*>(nim->data);
  for (int64_t i = 0; i < nim->nvox * nim->nbyper; ++i) bytes[i] = static_cast<uint8_t>(i * 13 + 1);
  if (datatype == DT_FLOAT32) {
    for (int64_t i = 0; i < nim->nvox; ++i) static_cast<float*>(nim->data)[i] = 0.25f * static_cast<float>(i);
  }
  if (datatype == DT_FLOAT64) {
    for (int64_t i = 0; i < nim->nvox; ++i) static_cast<double*>(nim->data)[i] = -0.5 * static_cast<double>(i);
  }
  nim->scl_slope = slope;
  nim->scl_inter = slope != 0 ? 3.0 : 0.0;
  nim->pixdim[1] = nim->dx = 1.5;
  nim->pixdim[3] = nim->dz = 2.0;
  nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->sform_code = NIFTI_XFORM_MNI_152;
  nim->quatern_b = 0.0;
  nim->qoffset_x = -10.0;
  nim->qfac = 1.0;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) nim->sto_xyz.m[r][c] = (r == c ? 1.25 : 0.0) + (c == 3 ? 5.0 * r : 0.0);
  if (nifti_type == NIFTI_FTYPE_NIFTI2_1) {
    // The library's writer mishandles single-file NIfTI-2, so this one is assembled by hand:
    // header, the four-byte extension flag, then the voxels at vox_offset 544.
    nifti_2_header hdr{};
    if (nifti_convert_nim2n2hdr(nim.get(), &hdr) != 0) return;
    hdr.vox_offset = 544;
    std::string bytes(reinterpret_cast<const char*>(&hdr), sizeof hdr);
    bytes.append(4, '\0');
    bytes.append(static_cast<const char*>(nim->data), static_cast<std::size_t>(nim->nvox * nim->nbyper));
    write_raw(path, bytes);
    return;
  }
  if (nifti_set_filenames(nim.get(), path.c_str(), 0, 1) != 0) return;
  nifti_image_write(nim.get());
}

void nifti_seeds(const fs::path& dir) {
  fs::create_directories(dir);
  nifti_seed(dir / "u8_4d.nii", {3, 2, 2, 2}, DT_UINT8, NIFTI_FTYPE_NIFTI1_1, 0.0);
  nifti_seed(dir / "i16_slope.nii", {4, 3, 2}, DT_INT16, NIFTI_FTYPE_NIFTI1_1, 0.5);
  nifti_seed(dir / "i32.nii", {2, 2, 2}, DT_INT32, NIFTI_FTYPE_NIFTI1_1, 0.0);
  nifti_seed(dir / "f32_n2.nii", {3, 2, 2}, DT_FLOAT32, NIFTI_FTYPE_NIFTI2_1, 0.0);
  nifti_seed(dir / "f64.nii", {2, 2, 1}, DT_FLOAT64, NIFTI_FTYPE_NIFTI1_1, 2.0);
  nifti_seed(dir / "i16_gz.nii.gz", {3, 3, 2}, DT_INT16, NIFTI_FTYPE_NIFTI1_1, 1.0);
  nifti_seed(dir / "rgb24.nii", {2, 2, 1}, DT_RGB24, NIFTI_FTYPE_NIFTI1_1, 0.0);  // an unsupported type
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_seeds IMAGE_DIR NIFTI_DIR JPEG_DIR\n");
    return 2;
  }
  nifti_set_debug_level(0);
  image_seeds(argv[1]);
  nifti_seeds(argv[2]);
  jpeg_seeds(argv[3]);
  return 0;
}
