# cmake -DF=FILE -P set_rpath.cmake: sets FILE's RUNPATH to $ORIGIN/../lib (used by
# tools/gpu_bundle.sh; CMake edits ELF files itself, so no patchelf is needed). The new path must
# not be longer than the one the build linked in, which holds for every binary of this project.
file(RPATH_SET FILE "${F}" NEW_RPATH "$ORIGIN/../lib")
