// All layer modules in one include.
#pragma once

#include "engine/nn/conv_layers.hpp"
#include "engine/nn/module.hpp"
#include "engine/nn/norm_layers.hpp"
#include "engine/nn/sequential.hpp"
#include "engine/nn/simple_layers.hpp"
