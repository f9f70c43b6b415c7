// Precompiled header for core's Torch translation units.
#pragma once
#include <torch/torch.h>
