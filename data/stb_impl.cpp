// The one translation unit that compiles stb's image reader, writer and resizer (Debian's
// libstb-dev is used for its headers only, so the build does not depend on its archive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
// GIF, PSD, HDR and PIC are outside the formats the datasets accept.
#define STBI_NO_GIF
#define STBI_NO_PSD
#define STBI_NO_HDR
#define STBI_NO_PIC
// JPEG goes through libjpeg-turbo (data/jpeg_codec.cpp), the decoder PIL and torchvision use.
#define STBI_NO_JPEG
#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>

#pragma GCC diagnostic pop
